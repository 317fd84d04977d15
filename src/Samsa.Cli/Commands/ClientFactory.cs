using Samsa.Cli.CommandLine;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;

namespace Samsa.Cli.Commands;

/// <summary>
/// Builds producer and consumer configs from the command line: bootstrap servers, then every
/// <c>-X name=value</c>, then the command's own flags (which win). The client's config table
/// validates names and values, so a typo is one clear line naming the property.
/// </summary>
internal static class ClientFactory
{
    public static ProducerConfig Producer(string brokers, Dictionary<string, string> properties, IEnumerable<KeyValuePair<string, string>> flags)
    {
        var all = Merge(brokers, properties, flags);
        try
        {
            var config = ProducerConfig.FromProperties(all);
            config.Validate();
            return config;
        }
        catch (ArgumentException e)
        {
            throw CliUsageException.From("invalid producer setting: ", e);
        }
    }

    public static ConsumerConfig Consumer(string brokers, Dictionary<string, string> properties, IEnumerable<KeyValuePair<string, string>> flags)
    {
        var all = Merge(brokers, properties, flags);
        try
        {
            return ConsumerConfig.FromProperties(all);
        }
        catch (ArgumentException e)
        {
            throw CliUsageException.From("invalid consumer setting: ", e);
        }
    }

    private static List<KeyValuePair<string, string>> Merge(string brokers, Dictionary<string, string> properties, IEnumerable<KeyValuePair<string, string>> flags)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal) { ["bootstrap.servers"] = brokers };
        foreach (var (k, v) in properties)
            merged[k] = v;
        foreach (var (k, v) in flags)
            merged[k] = v;
        return [.. merged];
    }

    /// <summary>Checks a <c>-z</c> value.</summary>
    public static string Compression(string? value) => value switch
    {
        null => "none",
        "none" or "gzip" or "snappy" or "lz4" or "zstd" => value,
        _ => throw new CliUsageException($"-z must be none, gzip, snappy, lz4 or zstd, got '{value}'"),
    };

    /// <summary>Checks an <c>--acks</c> value.</summary>
    public static string Acks(string value) => value switch
    {
        "0" or "1" or "all" or "-1" => value,
        _ => throw new CliUsageException($"--acks must be 0, 1 or all, got '{value}'"),
    };
}
