using Samsa.Broker;
using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary>
/// The cluster a self-contained command (perf, demo) talks to: the one named by -b or
/// SAMSA_BROKERS, or else an embedded cluster started in-process and stopped afterwards.
/// </summary>
internal sealed class EmbeddedClusterScope : IAsyncDisposable
{
    private readonly EmbeddedCluster? _cluster;

    private EmbeddedClusterScope(string bootstrap, EmbeddedCluster? cluster)
    {
        BootstrapServers = bootstrap;
        _cluster = cluster;
    }

    public string BootstrapServers { get; }

    /// <summary>True when the cluster runs inside this process (its CPU shows up in the process's CPU time).</summary>
    public bool IsEmbedded => _cluster is not null;

    public static async Task<EmbeddedClusterScope> StartAsync(ParsedArguments args, CliContext context, IReadOnlyList<string> topics)
    {
        if (CommonOptions.TryResolveBrokers(args, context) is { } brokers)
            return new EmbeddedClusterScope(brokers, null);
        var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = topics }, context.Cancellation).ConfigureAwait(false);
        return new EmbeddedClusterScope(cluster.BootstrapServers, cluster);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
            await _cluster.DisposeAsync().ConfigureAwait(false);
    }
}
