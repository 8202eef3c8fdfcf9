using System.Text.Json;
using ClipUp.Bench;

// bench entry point: `loader` prints one JSON line (bench/run-cpu.sh collects it); `trainstep` and `moelayer` are
// `clipup bench` commands, so that the GPU bundle, which carries the CLI alone, has them too.
string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

if (args.Length > 0 && args[0] == "loader")
{
    Console.WriteLine(LoaderBench.Run(Arg("--table", "../shared/data/flickr8k/train.tsv"), int.Parse(Arg("--size", "96")),
        int.Parse(Arg("--batch", "64")), int.Parse(Arg("--workers", "2")), int.Parse(Arg("--batches", "12"))).ToJsonString());
    return 0;
}
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(LoaderBench).Assembly).Run(args);
return 0;
