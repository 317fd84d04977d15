using System.Text;
using Samsa.Broker;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Client.Serialization;

namespace Samsa.Cli.Tests;

/// <summary>
/// The README tells the truth: its C# tour is the code between the markers below (compared line by
/// line, so it compiles because this file does) and runs against the embedded cluster; every samsa
/// command line it shows parses, and every command is shown.
/// </summary>
public class ReadmeTourTests
{
    private const string TourBegins = "// README tour begins";
    private const string TourEnds = "// README tour ends";

    [Fact]
    public async Task The_csharp_tour_runs_against_the_embedded_cluster()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["orders:3"] });
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var cancellationToken = bound.Token;
        var bootstrap = cluster.BootstrapServers;

        // README tour begins
        await using var producer = new KafkaProducer<string, string>(
            ProducerConfig.FromProperties(new Dictionary<string, string>
            {
                ["bootstrap.servers"] = bootstrap,
                ["linger.ms"] = "5",
                ["compression.type"] = "lz4",
            }),
            Serializers.Utf8, Serializers.Utf8);

        DeliveryResult r = await producer.ProduceAsync("orders",
            new ProducerRecord<string, string>("customer-42", "{\"total\": 10}")
            {
                Headers = new Headers().Add("source", "checkout"),
            });
        Console.WriteLine($"{r.Topic}[{r.Partition}]@{r.Offset}");

        using var consumer = new KafkaConsumer<string?, string?>(   // Kafka keys and values may be null
            new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "billing", AutoOffsetReset = AutoOffsetReset.Earliest },
            Deserializers.Utf8, Deserializers.Utf8);
        consumer.Subscribe(["orders"]);
        await foreach (var record in consumer.ConsumeAllAsync(cancellationToken))
        {
            Console.WriteLine($"{record.Key}: {record.Value} (lag {consumer.CurrentLag(record.TopicPartition)})");
            if (record.Partition == r.Partition && record.Offset == r.Offset)
                break; // read up to what we wrote
        }
        consumer.Commit();
        // README tour ends

        var written = new TopicPartition("orders", r.Partition);
        Assert.Equal(r.Offset + 1, consumer.Committed([written])[written]?.Offset);
        Assert.Equal(0, consumer.CurrentLag(written));
    }

    [Fact]
    public void The_readme_shows_the_tour_exactly_as_tested()
    {
        var root = RepositoryPaths.Root();
        var readme = File.ReadAllLines(Path.Combine(root, "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("var bootstrap = \"127.0.0.1:9092\";", StringComparison.Ordinal));
        Assert.True(start > 0, "README's C# tour must declare: var bootstrap = \"127.0.0.1:9092\"; ...");
        var end = Array.FindIndex(readme, start, l => l == "```");
        var shown = readme[(start + 1)..end].SkipWhile(string.IsNullOrWhiteSpace).ToList();

        var source = File.ReadAllLines(Path.Combine(root, "tests", "Samsa.Cli.Tests", "ReadmeTourTests.cs"));
        var from = Array.FindIndex(source, l => l.Trim() == TourBegins) + 1;
        var to = Array.FindIndex(source, l => l.Trim() == TourEnds);
        var indent = source[from].Length - source[from].TrimStart().Length;
        var tested = source[from..to].Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()).ToList();

        Assert.Equal(string.Join('\n', tested), string.Join('\n', shown));
    }

    [Fact]
    public void Every_samsa_command_line_in_the_readme_parses_and_every_command_is_shown()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "README.md"));
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var words in CommandLines(readme))
        {
            var (command, _) = Cli.Parse(words);
            shown.Add(command.Name);
            count++;
        }
        Assert.True(count >= 15, $"only {count} samsa command lines found in README.md");
        var missing = Cli.Commands.Select(c => c.Name).Where(n => !shown.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "README.md shows no example of: " + string.Join(", ", missing));
    }

    /// <summary>
    /// The samsa invocations in README code (indented blocks and shell lines): each pipeline or
    /// ';'-separated part whose program is samsa, or what follows 'dotnet run ... --'.
    /// </summary>
    private static IEnumerable<string[]> CommandLines(string readme)
    {
        foreach (var line in readme.Split('\n'))
        {
            if (!line.StartsWith("    ", StringComparison.Ordinal) || line.TrimStart().StartsWith("alias ", StringComparison.Ordinal))
                continue;
            foreach (var part in ShellWords(line))
            {
                if (part.Count > 1 && part[0] == "samsa")
                {
                    yield return [.. part.Skip(1)];
                }
                else if (part.Count > 2 && part[0] == "dotnet" && part[1] == "run" && part.IndexOf("--") is > 0 and var dashes)
                {
                    yield return [.. part.Skip(dashes + 1)];
                }
            }
        }
    }

    /// <summary>Splits a shell line into commands (at |, ; outside quotes) of words, dropping a trailing # comment.</summary>
    private static List<List<string>> ShellWords(string line)
    {
        var commands = new List<List<string>> { new() };
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is { } q)
            {
                if (c == q)
                    quote = null;
                else
                    word.Append(c);
                continue;
            }
            if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
                continue;
            }
            if (char.IsWhiteSpace(c) || c is '|' or ';' || (c == '#' && !inWord))
            {
                if (inWord)
                {
                    commands[^1].Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                if (c == '#')
                    break;
                if (c is '|' or ';')
                    commands.Add([]);
                continue;
            }
            word.Append(c);
            inWord = true;
        }
        if (inWord)
            commands[^1].Add(word.ToString());
        return commands;
    }
}
