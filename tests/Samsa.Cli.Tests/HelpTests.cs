using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Tests;

/// <summary>
/// Every command's --help is complete (usage line, every option with its help, a default or
/// "required" for every single-valued option, an example), and a bad command line is one line
/// on stderr with exit code 2.
/// </summary>
public class HelpTests
{
    public static TheoryData<string> CommandNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cli.Commands)
            data.Add(c.Name);
        return data;
    }

    private static string[] Words(string name, params string[] rest) => [.. name.Split(' '), .. rest];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Help_shows_usage_every_option_with_its_default_and_an_example(string name)
    {
        var command = Cli.Commands.Single(c => c.Name == name);
        foreach (var flag in new[] { "--help", "-h" })
        {
            var r = await CliRunner.RunAsync("", Words(name, flag));
            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Stderr);
            Assert.StartsWith($"usage: samsa {name} [options]", r.Stdout);
            Assert.Contains(command.Summary, r.Stdout);
            foreach (var o in command.Options.Concat(CommonOptions.Global))
            {
                Assert.Contains(o.Display, r.Stdout);
                Assert.Contains(o.Help, r.Stdout);
                if (o.TakesValue && !o.Repeatable)
                {
                    Assert.True(o.Help.Contains("default", StringComparison.Ordinal) || o.Help.Contains("required", StringComparison.Ordinal),
                        $"'samsa {name}' option --{o.Long} says neither its default nor that it is required: {o.Help}");
                }
            }
            Assert.Matches($"(?m)^example: .*samsa {name}( |$)", r.Stdout);
        }
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Unknown_option_is_one_line_naming_it_with_exit_2(string name)
    {
        var r = await CliRunner.RunAsync("", Words(name, "--bogus"));
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Equal($"samsa: unknown option '--bogus' for 'samsa {name}' (see 'samsa {name} --help')", r.Stderr.TrimEnd('\n'));
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Option_without_its_value_is_one_line_with_exit_2(string name)
    {
        var option = Cli.Commands.Single(c => c.Name == name).Options.First(o => o.TakesValue);
        var r = await CliRunner.RunAsync("", Words(name, "--" + option.Long));
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Equal($"samsa: option '--{option.Long}' needs a value ({option.ValueName})", r.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Top_help_lists_every_command_and_the_exit_codes()
    {
        var r = await CliRunner.RunAsync("", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var c in Cli.Commands)
            Assert.Contains($"  {c.Name} ", r.Stdout);
        Assert.Contains("exit codes: 0 done, 1 the operation failed, 2 bad command line, 130 interrupted", r.Stdout);
        Assert.Contains("Start here: samsa demo", r.Stdout);
    }

    [Theory]
    [InlineData("consume", "-b", "127.0.0.1:1", "-t", "t", "-c", "0", "--count needs an integer >= 1, got '0'")]
    [InlineData("consume", "-b", "127.0.0.1:1", "-t", "t", "-o", "middle", "-o must be beginning, end, stored, an offset or -N, got 'middle'")]
    [InlineData("consume", "-b", "127.0.0.1:1", "-t", "t", "-G", "g", "-p", "1", "-p cannot be combined with -G (the group assigns partitions)")]
    [InlineData("produce", "-b", "127.0.0.1:1", "-t", "t", "--acks", "2", "--acks must be 0, 1 or all, got '2'")]
    [InlineData("produce", "-b", "127.0.0.1:1", "-t", "t", "-H", "novalue", "-H needs NAME=VALUE, got 'novalue'")]
    [InlineData("produce", "-b", "127.0.0.1:1", "-t", "t", "-p", "x", "--partition needs an integer >= 0, got 'x'")]
    [InlineData("perf", "produce", "-b", "127.0.0.1:1", "--records", "x", "--records needs an integer >= 1, got 'x'")]
    [InlineData("topics", "add-partitions", "-b", "127.0.0.1:1", "t", "'samsa topics add-partitions' needs -P/--partitions")]
    [InlineData("groups", "describe", "-b", "127.0.0.1:1", "'samsa groups describe' needs a group (-G GROUP or GROUP...)")]
    [InlineData("produce", "-b", "127.0.0.1:1", "'samsa produce' needs -t/--topic")]
    public async Task Bad_values_are_one_line_usage_errors_before_any_connection(params string[] argsThenMessage)
    {
        var args = argsThenMessage[..^1];
        var r = await CliRunner.RunAsync("x\n", args);
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Equal("samsa: " + argsThenMessage[^1], r.Stderr.TrimEnd('\n'));
        Assert.Equal("", r.Stdout);
    }
}
