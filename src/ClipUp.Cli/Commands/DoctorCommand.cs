using System.CommandLine;
using ClipUp.Runtime;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

public static class DoctorCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var cmd = new Command("doctor", "Check the environment: libstdc++, .NET, TorchSharp, the loaded libtorch, CUDA, GPU, bf16.") { json };
        cmd.SetAction(parse =>
        {
            var checks = Doctor.Run();
            if (parse.GetValue(json))
            {
                Console.WriteLine(Doctor.ToJson(checks).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var table = new Table().AddColumns("check", "found", "fix");
            foreach (var c in checks)
                table.AddRow(Markup.Escape(c.Name), (c.Ok ? "" : "[red]") + Markup.Escape(c.Value) + (c.Ok ? "" : "[/]"), Markup.Escape(c.Fix ?? ""));
            AnsiConsole.Write(table);
            return checks.All(c => c.Ok) ? 0 : 1;
        });
        return cmd;
    }
}
