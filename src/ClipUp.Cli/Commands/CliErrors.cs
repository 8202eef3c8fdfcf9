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
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
    }

    public static bool IsUserError(Exception e) => e is ArgumentException or FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or NotSupportedException or System.Text.Json.JsonException or UserErrorException;
}

/// <summary>An error in what the user asked for (as opposed to a bug).</summary>
public sealed class UserErrorException(string message) : Exception(message);
