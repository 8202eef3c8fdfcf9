using System.CommandLine;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

/// <summary>
/// User errors (bad config values, missing files, corrupt data) end with exit code 2 and one readable message, never a
/// stack trace; anything else is a bug and keeps its trace.
/// </summary>
public static class CliErrors
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        // Redirected output has no width; Spectre would assume 80 columns and wrap or truncate tables ("zero-sh…").
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Unwrap(e) is { } user)
        {
            // Plain text on stderr: a terminal wraps it at its own width, a log keeps whole lines (Spectre would wrap at 80).
            Console.Error.WriteLine($"error: {user.Message}");
            return 2;
        }
        finally
        {
            ClipUp.Runtime.NativeShutdown.DrainFinalizers();     // no tensor finalizer may race libtorch's exit
        }
    }

    /// <summary>The user error inside <paramref name="e"/> (itself, or the only inner exception of an aggregate), else null.</summary>
    public static Exception? Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ when IsUserError(e) => e,
        _ => null,
    };

    /// <summary>A run's notes: warnings to stderr, everything else to stdout, whole lines (never wrapped mid-sentence).</summary>
    public static void Log(string message)
    {
        if (message.StartsWith("warning:", StringComparison.Ordinal)) Console.Error.WriteLine(message);
        else Console.WriteLine(message);
    }

    /// <summary>A warning line on stderr.</summary>
    public static void Warn(string message) => Console.Error.WriteLine($"warning: {message}");

    public static bool IsUserError(Exception e) => e is ArgumentException or FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or ClipUp.Data.DataErrorLimitException or NotSupportedException or System.Text.Json.JsonException or UserErrorException;
}

/// <summary>An error in what the user asked for (as opposed to a bug).</summary>
public sealed class UserErrorException(string message) : Exception(message);
