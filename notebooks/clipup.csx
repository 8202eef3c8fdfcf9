// ClipUp notebook bootstrap. Every notebook's first code cell is `#load "clipup.csx"`, alone in its cell.
//
// - ClipUp's own kernel (`clipup-csharp`) and runner (`clipup notebooks run`) already reference ClipUp, TorchSharp,
//   Plotly.NET, Microsoft.Data.Analysis and SkiaSharp and define `Profile` and `NotebookDir`: they skip this line.
// - Microsoft's .NET Interactive kernel (`.net-csharp`, dotnet-interactive 1.0.712001, VS Code Polyglot Notebooks)
//   runs this file. It finds a published ClipUp folder, adds its assemblies as references, resolves the native
//   libraries (libtorch with the Debian 12 libstdc++ fix, SkiaSharp) and managed dependencies from that folder,
//   registers ClipUp's formatters, and defines the same imports, `Profile` and `NotebookDir` as ClipUp's kernel.
//   Those take effect from the next cell on, which is why this line is alone in its cell.
//
// The published folder is, in order: $CLIPUP_HOME, or the first `artifacts/notebook-kernel` found in the notebook's
// folder or a folder above it. Make it once with
//   dotnet publish src/ClipUp.Notebooks.Host -c Release -o artifacts/notebook-kernel
// The profile is $CLIPUP_PROFILE if results for it are committed, else smoke (ClipUp.Notebooks.NotebookProfile).
using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;

static class ClipUpBootstrap
{
    /// <summary>The assemblies a notebook cell compiles against; their dependencies load from the same folder.</summary>
    public static readonly string[] Referenced =
        ["ClipUp", "ClipUp.Notebooks", "TorchSharp", "Plotly.NET", "Plotly.NET.CSharp", "Microsoft.Data.Analysis", "Microsoft.ML.DataView", "SkiaSharp", "FSharp.Core", "Apache.Arrow"];

    /// <summary>ClipUp's kernel's imports as using directives (ClipUp.Notebooks.NotebookImports), read by reflection: this file compiles before ClipUp is referenced.</summary>
    public static string Usings(string home) =>
        (string)Assembly.LoadFrom(Path.Combine(home, "ClipUp.Notebooks.dll")).GetType("ClipUp.Notebooks.NotebookImports", throwOnError: true)!
            .GetMethod("UsingDirectives")!.Invoke(null, null)!;

    public static string FindHome(string start)
    {
        if (Environment.GetEnvironmentVariable("CLIPUP_HOME") is { Length: > 0 } home)
            return File.Exists(Path.Combine(home, "ClipUp.Notebooks.dll")) ? Path.GetFullPath(home)
                : throw new DirectoryNotFoundException($"CLIPUP_HOME={home} has no ClipUp.Notebooks.dll: publish ClipUp there (dotnet publish src/ClipUp.Notebooks.Host -c Release -o {home})");
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "artifacts", "notebook-kernel");
            if (File.Exists(Path.Combine(candidate, "ClipUp.Notebooks.dll"))) return candidate;
        }
        throw new DirectoryNotFoundException($"no published ClipUp found from {start} upwards: run `dotnet publish src/ClipUp.Notebooks.Host -c Release -o artifacts/notebook-kernel` in the ClipUp repository, or set CLIPUP_HOME to a published folder");
    }

    /// <summary>
    /// Plotly.NET and its F# dependencies. The kernel ships older FSharp.Core (10.0) and Giraffe.ViewEngine than
    /// Plotly.NET 6 needs (10.1), so this set loads from the folder into a context of its own, complete and
    /// consistent; the kernel keeps its versions for itself.
    /// </summary>
    public static readonly string[] FSharpSet = ["FSharp.Core", "Giraffe.ViewEngine", "DynamicObj", "Fable.Core", "Plotly.NET", "Plotly.NET.CSharp"];

    sealed class FSharpContext(string home) : AssemblyLoadContext("clipup-fsharp")
    {
        protected override Assembly Load(AssemblyName name) =>
            FSharpSet.Contains(name.Name) ? LoadFromAssemblyPath(Path.Combine(home, name.Name + ".dll")) : null;
    }

    /// <summary>Managed dependencies from the folder: the F# set from its own context, the rest into the default one.</summary>
    public static void ResolveManaged(string home)
    {
        var fsharp = new FSharpContext(home);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            if (FSharpSet.Contains(name.Name)) return fsharp.LoadFromAssemblyName(name);
            var file = Path.Combine(home, name.Name + ".dll");
            return File.Exists(file) ? context.LoadFromAssemblyPath(file) : null;
        };
    }

    /// <summary>
    /// Loads the native libraries from the folder by full path before TorchSharp and SkiaSharp look for them by name
    /// (they search beside the kernel's process, where they are not); the loader then finds them already loaded.
    /// Only the published libLibTorchSharp carries the Debian 12 libstdc++ fix (eng/LibStdCxxFix.targets). SkiaSharp
    /// probes by full paths only, so it gets a resolver in the deferred cell, on the assembly the kernel loaded.
    /// </summary>
    public static void LoadNative(string home)
    {
        var native = Path.Combine(home, "runtimes", "linux-x64", "native");
        foreach (var lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so" })
            foreach (var dir in new[] { home, native })
                if (File.Exists(Path.Combine(dir, lib))) { NativeLibrary.Load(Path.Combine(dir, lib)); break; }
    }
}

{
    var home = ClipUpBootstrap.FindHome(Directory.GetCurrentDirectory());
    ClipUpBootstrap.ResolveManaged(home);
    ClipUpBootstrap.LoadNative(home);
    var csharp = (CSharpKernel)Kernel.Root.FindKernelByName("csharp");
    csharp.AddAssemblyReferences(ClipUpBootstrap.Referenced.Select(n => Path.Combine(home, n + ".dll")).Where(File.Exists));
    // Runs before the next cell, compiled against the references just added.
    csharp.DeferCommand(new SubmitCode($$"""
        {{ClipUpBootstrap.Usings(home)}}
        var NotebookDir = @"{{Directory.GetCurrentDirectory().Replace("\"", "\"\"")}}";
        var Profile = ClipUp.Notebooks.NotebookProfile.Choose(NotebookDir).Name;
        System.Runtime.InteropServices.NativeLibrary.SetDllImportResolver(typeof(SkiaSharp.SKBitmap).Assembly, (name, _, _) =>
            System.Runtime.InteropServices.NativeLibrary.Load(System.IO.Path.Combine(@"{{home}}", "runtimes", "linux-x64", "native", name + ".so")));
        var ClipUpFormatter = new ClipUp.Notebooks.Interop.ForeignFormatter();
        foreach (var type in ClipUp.Notebooks.Interop.ForeignFormatter.Types)
        {
            foreach (var mime in new[] { "text/html", "text/plain" })
                Microsoft.DotNet.Interactive.Formatting.Formatter.Register(type, (value, writer) => writer.Write(ClipUpFormatter.Format(value, mime)), mime);
            Microsoft.DotNet.Interactive.Formatting.Formatter.SetPreferredMimeTypesFor(type, "text/html", "text/plain");
        }
        """));
}
