using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Tests;

public class ArgumentParserTests
{
    private static readonly OptionSpec[] Specs =
    [
        CommonOptions.Brokers, CommonOptions.Topic, CommonOptions.Property, CommonOptions.Json,
        new('e', "exit", null, "exit at end"),
    ];

    [Fact]
    public void Short_flags_take_attached_or_separate_values()
    {
        var a = ArgumentParser.Parse("x", ["-blocalhost:9092", "-t", "orders", "-e"], Specs);
        Assert.Equal("localhost:9092", a.Get("brokers"));
        Assert.Equal("orders", a.Get("topic"));
        Assert.True(a.Has("exit"));
    }

    [Fact]
    public void Long_flags_take_equals_or_separate_values()
    {
        var a = ArgumentParser.Parse("x", ["--brokers=h:1", "--topic", "t", "--json"], Specs);
        Assert.Equal("h:1", a.Get("brokers"));
        Assert.Equal("t", a.Get("topic"));
        Assert.True(a.Has("json"));
    }

    [Fact]
    public void Repeatable_options_keep_every_value_in_order()
    {
        var a = ArgumentParser.Parse("x", ["-X", "acks=1", "-Xlinger.ms=5", "--property", "a=b=c"], Specs);
        Assert.Equal(["acks=1", "linger.ms=5", "a=b=c"], a.GetAll("property"));
        var props = CommonOptions.Properties(a);
        Assert.Equal("b=c", props["a"]);
        Assert.Equal("5", props["linger.ms"]);
    }

    [Fact]
    public void Unknown_option_is_a_usage_error_naming_it()
    {
        var e = Assert.Throws<CliUsageException>(() => ArgumentParser.Parse("produce", ["-q"], Specs));
        Assert.Contains("'-q'", e.Message);
        Assert.Contains("samsa produce", e.Message);
    }

    [Fact]
    public void Missing_value_is_a_usage_error()
    {
        var e = Assert.Throws<CliUsageException>(() => ArgumentParser.Parse("x", ["-t"], Specs));
        Assert.Contains("needs a value", e.Message);
    }

    [Fact]
    public void Single_valued_option_given_twice_is_a_usage_error()
    {
        Assert.Throws<CliUsageException>(() => ArgumentParser.Parse("x", ["-t", "a", "-t", "b"], Specs));
    }

    [Fact]
    public void Double_dash_ends_options_and_negative_numbers_are_positionals()
    {
        var a = ArgumentParser.Parse("x", ["a", "-5", "--", "-t"], Specs);
        Assert.Equal(["a", "-5", "-t"], a.Positionals);
    }

    [Fact]
    public void Property_without_equals_is_a_usage_error()
    {
        var a = ArgumentParser.Parse("x", ["-X", "acks"], Specs);
        var e = Assert.Throws<CliUsageException>(() => CommonOptions.Properties(a));
        Assert.Contains("NAME=VALUE", e.Message);
    }

    [Fact]
    public void Integer_options_are_range_checked()
    {
        var a = ArgumentParser.Parse("x", ["--timeout", "0"], [CommonOptions.Timeout]);
        var e = Assert.Throws<CliUsageException>(() => CommonOptions.ResolveTimeout(a));
        Assert.Contains("--timeout", e.Message);
    }
}
