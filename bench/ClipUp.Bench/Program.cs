using System.Text.Json;
using ClipUp.Bench;
using ClipUp.Throughput;

// bench entry point: `trainstep`, `moelayer` and `loader` print one JSON line each (bench/run-cpu.sh collects them).
string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

if (args.Length > 0 && args[0] == "trainstep")
{
    var result = TrainStepBench.Run(Arg("--preset", "tiny"), Arg("--moe", "0") == "1", int.Parse(Arg("--batch", "64")),
        int.Parse(Arg("--steps", "20")), int.Parse(Arg("--warmup", "3")), Arg("--device", "cpu"), Arg("--bf16", "0") == "1",
        BenchModels.ParseDispatch(Arg("--dispatch", "auto")));
    var json = result.ToJsonString();
    Console.WriteLine(json);
    var outPath = Arg("--json", "");
    if (outPath.Length > 0) File.WriteAllText(outPath, json);
    return 0;
}
if (args.Length > 0 && args[0] == "moelayer")
{
    var result = MoeLayerBench.Run(int.Parse(Arg("--width", "768")), int.Parse(Arg("--experts", "8")), int.Parse(Arg("--top-k", "2")),
        int.Parse(Arg("--tokens", "4096")), double.Parse(Arg("--capacity-factor", "1.25"), System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(Arg("--steps", "5")), Arg("--device", "cpu"), Arg("--bf16", "0") == "1", BenchModels.ParseDispatch(Arg("--dispatch", "auto")));
    Console.WriteLine(result.ToJsonString());
    return 0;
}
if (args.Length > 0 && args[0] == "loader")
{
    Console.WriteLine(LoaderBench.Run(Arg("--table", "../shared/data/flickr8k/train.tsv"), int.Parse(Arg("--size", "96")),
        int.Parse(Arg("--batch", "64")), int.Parse(Arg("--workers", "2")), int.Parse(Arg("--batches", "12"))).ToJsonString());
    return 0;
}
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(LoaderBench).Assembly).Run(args);
return 0;
