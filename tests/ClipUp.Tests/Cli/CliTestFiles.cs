using System.CommandLine;
using ClipUp.Cli.Commands;
using ClipUp.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Cli;

/// <summary>Files that hf_parity.py make-reference would write, made here without transformers.</summary>
internal static class CliTestFiles
{
    /// <summary>hf_parity.py's "small" config: towers 64 wide, 2 layers, 4 heads, MLP 256; 32 px images in 8 px patches; context 77; projection 32.</summary>
    public static ClipArchitecture Small => new(32,
        new VisionArchitecture(32, 8, 64, 2, 4, 256),
        new TextArchitecture(77, 49408, 64, 2, 4, 256),
        ClipActivation.QuickGelu);

    /// <summary><c>folder/config.json</c> + <c>model.safetensors</c> of random weights, and <c>folder/inputs.safetensors</c>; returns the OpenAI-keyed weights.</summary>
    public static Dictionary<string, Tensor> WriteReference(string folder, int seed)
    {
        var state = Io.TinyStateDicts.Random(Small, seed);
        ModelFiles.SaveHuggingFace(folder, state, Small);
        SafeTensors.Save(Path.Combine(folder, ParityIo.InputsName), Inputs(Small.Vision.ImageSize, seed + 1));
        return state;
    }

    /// <summary>hf_parity.py's fixed_inputs: pixel_values [4, 3, S, S] ~ N(0, 1); input_ids [4, 77] = SOT, 3/5/7/9 ids, EOT, zeros.</summary>
    public static Dictionary<string, Tensor> Inputs(int imageSize, int seed)
    {
        var g = new Generator((ulong)seed);
        var ids = torch.zeros(4, 77, ScalarType.Int64);
        for (int b = 0; b < 4; b++)
        {
            int n = 3 + 2 * b;
            ids[b, 0] = torch.tensor(49406L);
            ids[b, TensorIndex.Slice(1, 1 + n)] = torch.randint(1, 49406, [n], generator: g);
            ids[b, 1 + n] = torch.tensor(49407L);
        }
        return new() { ["pixel_values"] = torch.randn(4, 3, imageSize, imageSize, generator: g), ["input_ids"] = ids };
    }

    /// <summary>Runs <c>clipup args...</c> in-process through the same error handling as Program.cs; returns the exit code.</summary>
    public static int Invoke(params string[] args) =>
        CliErrors.InvokeAsync(new RootCommand { InspectCommand.Create(), ExportCommand.Create(), ParityCommand.Create(), BenchCommand.Create() }, args).GetAwaiter().GetResult();
}
