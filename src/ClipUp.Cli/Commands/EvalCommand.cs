using System.CommandLine;
using ClipUp.Experiments;
using ClipUp.Runtime;
using TorchSharp;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

public static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<FileInfo>("--weights", "--checkpoint")
        {
            Description = "The model: a ClipUp checkpoint, a Hugging Face CLIPModel folder or an open_clip .safetensors.", Required = true,
        };
        var retrieval = new Option<FileInfo?>("--retrieval") { Description = "Image-caption table with several captions per image (e.g. flickr8k/val.tsv)." };
        var zeroShot = new Option<DirectoryInfo?>("--zero-shot") { Description = "ImageFolder for zero-shot classification (e.g. cifar10/train)." };
        var limit = new Option<int>("--zero-shot-limit") { Description = "Evaluate at most this many images, evenly spread (0 = all)." };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:<i>.", DefaultValueFactory = _ => "auto" };
        var cmd = new Command("eval", "Evaluate a checkpoint: image↔text retrieval and zero-shot classification.")
            { checkpoint, retrieval, zeroShot, limit, device };
        cmd.SetAction(parse =>
        {
            var path = parse.GetValue(checkpoint)!.FullName;
            var dev = Devices.Resolve(parse.GetValue(device)!);
            using var model = Io.ModelImport.LoadDense(path);
            model.to(dev);
            var eval = new EvalConfig
            {
                Retrieval = parse.GetValue(retrieval)?.FullName, ZeroShot = parse.GetValue(zeroShot)?.FullName,
                ZeroShotLimit = parse.GetValue(limit),
            };
            if (eval.Retrieval is null && eval.ZeroShot is null) throw new UserErrorException("nothing to evaluate: give --retrieval and/or --zero-shot");
            var result = Evaluation.Run(model, eval, dev);
            AnsiConsole.Write(ResultTables.Of([(Path.GetFileName(path), result)]));
            return 0;
        });
        return cmd;
    }
}
