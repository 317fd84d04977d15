using Samsa.Protocol.Errors;
using Samsa.Protocol;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.IntegrationTests.Clusters;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>
/// The consumer group suite against our embedded broker's group coordinator, plus offsets that
/// survive the broker itself restarting (the mock cannot restart with state).
/// </summary>
// One collection: the two backends' group suites run one after the other, not competing for CPU
// with each other's timed rebalances (and sharing the process-wide LeaderSyncDelayMs).
[Collection(nameof(ConsumerGroupSuite))]
public sealed class ConsumerGroupEmbeddedTests(ITestOutputHelper output) : ConsumerGroupSuite(output)
{
    protected override async Task<ITestCluster> StartClusterAsync() => await EmbeddedTestCluster.StartAsync(1);

    // Embedded only: librdkafka 2.0.2's mock answers an injected FindCoordinator error with a null
    // host, which we (like Java's generated parsers) reject as malformed and retry as a failed request.
    [Fact]
    public async Task An_async_commit_waiting_for_the_coordinator_fails_clearly_when_the_lookup_fails_fatally()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gaf", partitions: 1);
        var tp = new TopicPartition("gaf", 0);
        cluster.PushRequestErrors(ApiKey.FindCoordinator, ErrorCode.GroupAuthorizationFailed);
        using var consumer = Create(cluster.BootstrapServers, "group-auth-failed", autoCommit: false);
        consumer.Assign([tp]);
        // Queued while the coordinator is unknown; the lookup's fatal answer must fail it, not leave it waiting until close.
        var commit = consumer.CommitAsync(new Dictionary<TopicPartition, OffsetAndMetadata> { [tp] = new(1) });
        var error = await Assert.ThrowsAnyAsync<KafkaException>(() => commit.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(ErrorCode.GroupAuthorizationFailed, error.Code);
        Assert.Contains("group-auth-failed", error.Message);
        // A commit made after the lookup already failed fatally must fail too, not wait for a lookup that never comes.
        var late = await Assert.ThrowsAnyAsync<KafkaException>(() =>
            consumer.CommitAsync(new Dictionary<TopicPartition, OffsetAndMetadata> { [tp] = new(2) }).WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(ErrorCode.GroupAuthorizationFailed, late.Code);
    }

    [Fact]
    public async Task Committed_offsets_survive_a_whole_cluster_restart_from_its_data_directory()
    {
        var dir = Directory.CreateTempSubdirectory("samsa-it-offsets-");
        try
        {
            var tp0 = new TopicPartition("gr", 0);
            await using (var cluster = await EmbeddedTestCluster.StartAsync(1, dir.FullName))
            {
                cluster.CreateTopic("gr", partitions: 2);
                await ProduceAsync(cluster, "gr", 2, 20);
                using var first = Create(cluster.BootstrapServers, "group-restart", autoCommit: false);
                first.Subscribe(["gr"]);
                var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
                PollAll([first], sinks, () => sinks[0].Count >= 40, TimeSpan.FromSeconds(10));
                Assert.Equal(40, sinks[0].Count);
                first.Commit();
                first.Close();
            }

            // Same port is not needed: the new cluster finds topics, logs and offsets on disk.
            await using var restarted = await EmbeddedTestCluster.StartAsync(1, dir.FullName);
            await ProduceAsync(restarted, "gr", 2, 5, start: 20);
            using var second = Create(restarted.BootstrapServers, "group-restart", autoCommit: false);
            second.Subscribe(["gr"]);
            var next = new[] { new List<ConsumeResult<string?, string?>>() };
            PollAll([second], next, () => next[0].Count >= 10, TimeSpan.FromSeconds(10));
            Assert.Equal(10, next[0].Count);
            Assert.All(next[0], r => Assert.True(r.Offset >= 20, $"{r} was already committed"));
            Assert.Equal(20, second.Committed([tp0])[tp0]!.Offset);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_fetch_long_poll_delays_neither_heartbeats_nor_commits()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("glp", partitions: 1);
        await ProduceAsync(cluster, "glp", 1, 1);
        // Every fetch now waits 10 s on the broker (it never reaches fetch.min.bytes), longer than the
        // 6 s session timeout: heartbeats or a commit queued behind it on one connection would expire
        // the member. The coordinator has its own connection, as in the Java client.
        var listener = new RecordingListener();
        using var consumer = Create(cluster.BootstrapServers, "group-long-poll", autoCommit: false,
            configure: c => c with { FetchMaxWait = TimeSpan.FromSeconds(10), FetchMinBytes = 50 * 1024 * 1024 });
        consumer.Subscribe(["glp"], listener);
        var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
        PollAll([consumer], sinks, () => sinks[0].Count >= 1, TimeSpan.FromSeconds(25));
        Assert.Single(sinks[0]);
        var memberId = consumer.MemberId;
        var eventsBefore = listener.Events.Count;
        var deadline = DateTime.UtcNow.AddSeconds(14);
        while (DateTime.UtcNow < deadline) sinks[0].AddRange(consumer.Poll(TimeSpan.FromMilliseconds(500)));
        consumer.Commit();
        var tp = new TopicPartition("glp", 0);
        Assert.Equal(1, consumer.Committed([tp])[tp]!.Offset);
        Assert.Equal(memberId, consumer.MemberId);
        Assert.Equal(eventsBefore, listener.Events.Count); // no revoke, no lost: the membership never lapsed
        Assert.Single(consumer.Assignment);
    }

    // Embedded only: librdkafka 2.0.2's mock coordinator ignores group.instance.id, so the restarted
    // member joins as a third member next to its own unexpired old self.
    [Fact]
    public async Task A_static_member_that_restarts_within_the_session_timeout_gets_its_partitions_back()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gs", partitions: 4);
        var otherListener = new RecordingListener();
        using var other = Create(cluster.BootstrapServers, "group-static", instanceId: "other");
        other.Subscribe(["gs"], otherListener);
        var first = Create(cluster.BootstrapServers, "group-static", instanceId: "restarting");
        KafkaConsumer<string?, string?>? restarted = null;
        try
        {
            first.Subscribe(["gs"]);
            var sinks = new[] { new List<ConsumeResult<string?, string?>>(), new List<ConsumeResult<string?, string?>>() };
            PollAll([other, first], sinks, () => SplitsCompletely([other, first], 4), TimeSpan.FromSeconds(10));
            Assert.True(SplitsCompletely([other, first], 4));
            var before = first.Assignment.ToHashSet();
            var othersBefore = other.Assignment.ToHashSet();
            // A static member sends no LeaveGroup: the coordinator keeps its place for the session timeout.
            first.Close();
            restarted = Create(cluster.BootstrapServers, "group-static", instanceId: "restarting");
            restarted.Subscribe(["gs"]);
            PollAll([other, restarted], sinks, () => restarted.Assignment.Count > 0, TimeSpan.FromSeconds(10));
            Assert.Equal(before, restarted.Assignment.ToHashSet());
            Assert.Equal(othersBefore, other.Assignment.ToHashSet());
            Assert.DoesNotContain(otherListener.Events, e => e.StartsWith("lost", StringComparison.Ordinal));
        }
        finally
        {
            first.Dispose();
            restarted?.Dispose();
        }
    }

    // Embedded only: librdkafka 2.0.2's mock rejects a commit made while the group prepares a
    // rebalance (RebalanceInProgress); Kafka accepts it with the current generation, which is what
    // makes committing before revocation work.
    [Fact]
    public async Task Partitions_are_committed_before_they_are_revoked_so_the_next_owner_reads_nothing_twice()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("grv", partitions: 2);
        await ProduceAsync(cluster, "grv", 2, 10);
        // An interval far beyond the test: only the commit before revocation can store the positions.
        using var first = Create(cluster.BootstrapServers, "group-revoke", assignors: ["range"],
            configure: c => c with { AutoCommitInterval = TimeSpan.FromMinutes(10) });
        first.Subscribe(["grv"]);
        var sinks = new[] { new List<ConsumeResult<string?, string?>>(), new List<ConsumeResult<string?, string?>>() };
        PollAll([first], sinks, () => sinks[0].Count >= 20, TimeSpan.FromSeconds(10));
        Assert.Equal(20, sinks[0].Count);

        using var second = Create(cluster.BootstrapServers, "group-revoke", assignors: ["range"]);
        second.Subscribe(["grv"]);
        PollAll([first, second], sinks, () => SplitsCompletely([first, second], 2), TimeSpan.FromSeconds(15));
        Assert.True(SplitsCompletely([first, second], 2));
        var moved = Assert.Single(second.Assignment);
        Assert.Equal(10, second.Committed([moved])[moved]!.Offset);

        await ProduceAsync(cluster, "grv", 2, 5, start: 10);
        PollAll([first, second], sinks, () => sinks[0].Count + sinks[1].Count >= 30, TimeSpan.FromSeconds(10));
        var all = sinks[0].Concat(sinks[1]).Select(r => r.Value).ToList();
        Assert.Equal(30, all.Count);
        Assert.Equal(30, all.Distinct().Count());
        Assert.All(sinks[1], r => Assert.True(r.Offset >= 10, $"{r} was read again by the new owner"));
    }
}
