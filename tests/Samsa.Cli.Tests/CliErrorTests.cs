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

public class CliBrokerErrorTests
{
    [Fact]
    public async Task Missing_brokers_says_how_to_give_them()
    {
        var r = await CliRunner.RunAsync("", "consume", "-t", "orders");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Contains("-b HOST:PORT", r.Stderr);
        Assert.Contains("SAMSA_BROKERS", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Malformed_broker_address_is_a_usage_error()
    {
        var r = await CliRunner.RunAsync("", "metadata", "-b", "localhost");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Contains("'localhost' is not HOST:PORT", r.Stderr);
    }

    [Fact]
    public async Task Unreachable_broker_fails_within_the_timeout_with_one_line()
    {
        // Port 1 on loopback refuses connections.
        var r = await CliRunner.RunAsync("", "metadata", "-b", "127.0.0.1:1", "--timeout", "1500");
        Assert.Equal(Cli.ExitFailure, r.ExitCode);
        Assert.StartsWith("samsa: error: Metadata did not complete within 1500 ms", r.Stderr);
        Assert.Contains("could not reach any broker at 127.0.0.1:1", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace()
    {
        var r = await CliRunner.RunAsync("", "metadata", "-b", "127.0.0.1:1", "--timeout", "500", "--verbose");
        Assert.Equal(Cli.ExitFailure, r.ExitCode);
        Assert.Contains("   at ", r.Stderr);
    }

    [Fact]
    public async Task Unknown_producer_property_is_a_usage_error_naming_it()
    {
        var r = await CliRunner.RunAsync("x\n", "produce", "-b", "127.0.0.1:1", "-t", "t", "-X", "lingr.ms=5");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Contains("lingr.ms", r.Stderr);
    }

    [Fact]
    public async Task Bad_compression_is_a_usage_error()
    {
        var r = await CliRunner.RunAsync("x\n", "produce", "-b", "127.0.0.1:1", "-t", "t", "-z", "brotli");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Contains("-z must be none, gzip, snappy, lz4 or zstd", r.Stderr);
    }

    [Fact]
    public async Task Stored_offset_without_group_is_a_usage_error()
    {
        var r = await CliRunner.RunAsync("", "consume", "-b", "127.0.0.1:1", "-t", "t", "-o", "stored");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Contains("-G", r.Stderr);
    }

    [Fact]
    public async Task Perf_needs_a_record_count()
    {
        var r = await CliRunner.RunAsync("", "perf", "produce", "-b", "127.0.0.1:1");
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Contains("--records", r.Stderr);
    }
}
