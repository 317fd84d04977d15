namespace Samsa.Cli.Tests;

public class CliErrorTests
{
    [Fact]
    public async Task No_arguments_prints_usage_and_fails()
    {
        var r = await CliRunner.RunAsync("");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Contains("usage: samsa COMMAND", r.Stderr);
    }

    [Fact]
    public async Task Help_lists_commands_and_succeeds()
    {
        var r = await CliRunner.RunAsync("", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("perf produce", r.Stdout);
        Assert.Contains("demo", r.Stdout);
    }

    [Fact]
    public async Task Command_help_lists_its_options()
    {
        var r = await CliRunner.RunAsync("", "consume", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--brokers", r.Stdout);
    }

    [Fact]
    public async Task Unknown_command_is_one_line_with_exit_2()
    {
        var r = await CliRunner.RunAsync("", "frobnicate");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Equal("samsa: unknown command 'frobnicate' (run 'samsa --help' for the list)", r.Stderr.Trim());
    }

    [Fact]
    public async Task Unknown_sub_command_names_the_choices()
    {
        var r = await CliRunner.RunAsync("", "topics", "rename");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Contains("unknown sub-command 'rename'", r.Stderr);
        Assert.Contains("list, describe, create, delete", r.Stderr);
    }

    [Fact]
    public async Task Unknown_option_is_one_line_with_exit_2()
    {
        var r = await CliRunner.RunAsync("", "consume", "--frob");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains("'--frob'", r.Stderr);
    }
}
