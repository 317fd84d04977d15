using System.Diagnostics;
using System.Text;

namespace Samsa.Broker.Tests;

/// <summary>kcat balanced consumers (-G) against the embedded group coordinator.</summary>
public class KcatGroupTests
{
    private sealed class Member : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _out = new();
        private readonly StringBuilder _err = new();

        public Member(string bootstrap, string group, string topic)
        {
            _process = KcatProcess.Start(["-b", bootstrap, "-G", group, "-f", "%p:%s\n", "-o", "beginning",
                "-u", "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "-X", "topic.metadata.refresh.interval.ms=1000", topic]);
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_out) { _out.AppendLine(e.Data); } } };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_err) { _err.AppendLine(e.Data); } } };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public List<string> Lines()
        {
            lock (_out)
            {
                return [.. _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
            }
        }

        public string Errors()
        {
            lock (_err)
            {
                return _err.ToString();
            }
        }

        public void Dispose()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
        }
    }

    [Fact]
    public async Task Two_kcat_group_members_split_the_partitions()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 2, Topics = ["g:4"] });
        using var a = new Member(cluster.BootstrapServers, "kcat-group", "g");
        using var b = new Member(cluster.BootstrapServers, "kcat-group", "g");

        // Wait (bounded) until both members are in one stable generation.
        for (int i = 0; i < 100; i++)
        {
            var (state, _, _, members) = cluster.Groups.Describe("kcat-group");
            if (state == "Stable" && members.Count == 2)
            {
                break;
            }
            await Task.Delay(100);
        }
        var described = cluster.Groups.Describe("kcat-group");
        Assert.True(described.State == "Stable" && described.Members.Count == 2, $"group is {described.State} with {described.Members.Count} members; a: {a.Errors()} b: {b.Errors()}");

        var lines = Enumerable.Range(0, 100).Select(i => $"m{i}").ToList();
        var produce = await KcatProcess.RunAsync(["-b", cluster.BootstrapServers, "-P", "-t", "g", "-K", "="], string.Join('\n', lines.Select((l, i) => $"k{i}={l}")) + "\n");
        Assert.True(produce.ExitCode == 0, produce.Stderr);

        for (int i = 0; i < 100 && a.Lines().Count + b.Lines().Count < 100; i++)
        {
            await Task.Delay(100);
        }
        var fromA = a.Lines();
        var fromB = b.Lines();
        Assert.Equal(lines.Order(), fromA.Concat(fromB).Select(l => l.Split(':')[1]).Order());
        var partitionsA = fromA.Select(l => l.Split(':')[0]).ToHashSet();
        var partitionsB = fromB.Select(l => l.Split(':')[0]).ToHashSet();
        Assert.NotEmpty(partitionsA);
        Assert.NotEmpty(partitionsB);
        Assert.Empty(partitionsA.Intersect(partitionsB));
    }
}
