using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Serialization;
using Samsa.IntegrationTests.Clusters;
using Samsa.IntegrationTests.Network;
using Samsa.Protocol.Errors;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>
/// Consumer groups against a test cluster's group coordinator, with kcat as producer and peer. Runs on
/// librdkafka's mock cluster and on our embedded broker (the concrete subclasses).
/// </summary>
public abstract class ConsumerGroupSuite(ITestOutputHelper output)
{
    // librdkafka 2.0.2's mock fails followers whose SyncGroup comes after the leader's (see LeaderSyncDelayMs).
    // Set for both backends: it is process-wide, and one value keeps test runs deterministic.
    static ConsumerGroupSuite() => Samsa.Client.Consumer.Groups.GroupMembership.LeaderSyncDelayMs = 300;

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Starts a fresh single-broker cluster.</summary>
    protected abstract Task<ITestCluster> StartClusterAsync();

    protected KafkaConsumer<string?, string?> Create(string bootstrap, string groupId, string? instanceId = null, bool autoCommit = true, string[]? assignors = null,
        Func<ConsumerConfig, ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            GroupInstanceId = instanceId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = autoCommit,
            SessionTimeout = TimeSpan.FromSeconds(6),
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
            MaxPollInterval = TimeSpan.FromSeconds(10),
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
            PartitionAssignmentStrategy = assignors ?? ["range", "cooperative-sticky"],
        };
        if (configure is not null) config = configure(config);
        return new KafkaConsumer<string?, string?>(config, Deserializers.Utf8, Deserializers.Utf8, new TestOutputLoggerFactory(Output));
    }

    protected static async Task ProduceAsync(ITestCluster cluster, string topic, int partitions, int perPartition, int start = 0)
    {
        for (var p = 0; p < partitions; p++)
        {
            var lines = Enumerable.Range(start, perPartition).Select(i => $"p{p}-{i}");
            (await Kcat.ProduceAsync(cluster.BootstrapServers, topic, lines, partition: p)).EnsureSuccess();
        }
    }

    /// <summary>Polls every consumer round-robin until <paramref name="done"/> holds or the deadline passes.</summary>
    protected static void PollAll(IReadOnlyList<KafkaConsumer<string?, string?>> consumers, List<ConsumeResult<string?, string?>>[] sinks, Func<bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done() && DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < consumers.Count; i++) sinks[i].AddRange(consumers[i].Poll(TimeSpan.FromMilliseconds(50)));
        }
    }

    protected static bool SplitsCompletely(IEnumerable<KafkaConsumer<string?, string?>> consumers, int partitions)
    {
        var all = consumers.SelectMany(c => c.Assignment).ToList();
        return all.Count == partitions && all.Distinct().Count() == partitions && consumers.All(c => c.Assignment.Count > 0);
    }

    [Fact]
    public async Task Three_consumers_split_six_partitions_disjointly_and_read_everything_once()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("g3", partitions: 6);
        await ProduceAsync(cluster, "g3", 6, 20);
        var consumers = Enumerable.Range(0, 3).Select(_ => Create(cluster.BootstrapServers, "group-3")).ToList();
        try
        {
            foreach (var c in consumers) c.Subscribe(["g3"]);
            var sinks = consumers.Select(_ => new List<ConsumeResult<string?, string?>>()).ToArray();
            PollAll(consumers, sinks, () => SplitsCompletely(consumers, 6) && sinks.Sum(s => s.Count) >= 120, TimeSpan.FromSeconds(15));
            Assert.True(SplitsCompletely(consumers, 6), "assignments: " + string.Join(" | ", consumers.Select(c => string.Join(",", c.Assignment))));
            Assert.All(consumers, c => Assert.Equal(2, c.Assignment.Count));
            // Records may be read twice only across a rebalance; the final owner read each partition in order.
            var values = sinks.SelectMany(s => s).Select(r => r.Value).Distinct().ToList();
            Assert.Equal(120, values.Count);
        }
        finally
        {
            foreach (var c in consumers) c.Dispose();
        }
    }

    [Fact]
    public async Task When_a_member_leaves_the_others_take_its_partitions_and_nothing_is_lost()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gl", partitions: 6);
        var consumers = Enumerable.Range(0, 3).Select(_ => Create(cluster.BootstrapServers, "group-leave")).ToList();
        try
        {
            foreach (var c in consumers) c.Subscribe(["gl"]);
            var sinks = consumers.Select(_ => new List<ConsumeResult<string?, string?>>()).ToArray();
            PollAll(consumers, sinks, () => SplitsCompletely(consumers, 6), TimeSpan.FromSeconds(10));
            Assert.True(SplitsCompletely(consumers, 6));
            await ProduceAsync(cluster, "gl", 6, 10);
            PollAll(consumers, sinks, () => sinks.Sum(s => s.Count) >= 60, TimeSpan.FromSeconds(5));

            consumers[2].Close();
            var rest = consumers.Take(2).ToList();
            await ProduceAsync(cluster, "gl", 6, 10, start: 10);
            // Count distinct values, not records: librdkafka's mock rejects the pre-rejoin auto-commit with
            // RebalanceInProgress (a real broker accepts it while PreparingRebalance), so the survivors re-read
            // their kept partitions from auto.offset.reset=earliest. Those duplicates must not end the wait
            // before the partitions taken over from the leaver have been read.
            PollAll(rest, sinks, () => SplitsCompletely(rest, 6) && sinks.SelectMany(s => s).Select(r => r.Value).Distinct().Count() >= 120, TimeSpan.FromSeconds(10));
            Assert.True(SplitsCompletely(rest, 6), "assignments: " + string.Join(" | ", rest.Select(c => string.Join(",", c.Assignment))));
            var values = sinks.SelectMany(s => s).Select(r => r.Value).ToHashSet();
            for (var p = 0; p < 6; p++)
            {
                for (var i = 0; i < 20; i++) Assert.Contains($"p{p}-{i}", values);
            }
        }
        finally
        {
            foreach (var c in consumers) c.Dispose();
        }
    }

    [Fact]
    public async Task When_a_member_dies_its_partitions_move_after_the_session_timeout()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gd", partitions: 4);
        // A static member sends no LeaveGroup on close: to the group it looks like a crash.
        var survivor = Create(cluster.BootstrapServers, "group-die");
        var victim = Create(cluster.BootstrapServers, "group-die", instanceId: "victim");
        var consumers = new List<KafkaConsumer<string?, string?>> { survivor, victim };
        try
        {
            foreach (var c in consumers) c.Subscribe(["gd"]);
            var sinks = consumers.Select(_ => new List<ConsumeResult<string?, string?>>()).ToArray();
            PollAll(consumers, sinks, () => SplitsCompletely(consumers, 4), TimeSpan.FromSeconds(10));
            Assert.True(SplitsCompletely(consumers, 4));
            victim.Close();
            await ProduceAsync(cluster, "gd", 4, 5);
            PollAll([survivor], sinks, () => survivor.Assignment.Count == 4 && sinks[0].Count >= 20, TimeSpan.FromSeconds(15));
            Assert.Equal(4, survivor.Assignment.Count);
            Assert.Equal(20, sinks[0].Select(r => r.Value).Distinct().Count());
        }
        finally
        {
            foreach (var c in consumers) c.Dispose();
        }
    }

    [Fact]
    public async Task Committed_offsets_survive_a_restart()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gc", partitions: 2);
        await ProduceAsync(cluster, "gc", 2, 30);
        var tp0 = new TopicPartition("gc", 0);
        using (var first = Create(cluster.BootstrapServers, "group-commit", autoCommit: false))
        {
            first.Subscribe(["gc"]);
            var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
            PollAll([first], sinks, () => sinks[0].Count >= 60, TimeSpan.FromSeconds(10));
            Assert.Equal(60, sinks[0].Count);
            first.Commit();
            Assert.Equal(30, first.Committed([tp0])[tp0]!.Offset);
        }
        await ProduceAsync(cluster, "gc", 2, 5, start: 30);
        using var second = Create(cluster.BootstrapServers, "group-commit", autoCommit: false);
        second.Subscribe(["gc"]);
        var next = new[] { new List<ConsumeResult<string?, string?>>() };
        PollAll([second], next, () => next[0].Count >= 10, TimeSpan.FromSeconds(10));
        Assert.Equal(10, next[0].Count);
        Assert.All(next[0], r => Assert.True(r.Offset >= 30, $"{r} was already committed"));
    }

    [Theory]
    [InlineData("range")]
    [InlineData("roundrobin")]
    public async Task A_group_of_samsa_and_kcat_splits_partitions_and_reads_each_record_once(string assignor)
    {
        await using var cluster = await StartClusterAsync();
        var topic = "gk-" + assignor;
        var group = "group-mixed-" + assignor;
        cluster.CreateTopic(topic, partitions: 4);
        // Samsa joins first and leads; kcat then joins as a follower (the mock needs followers to sync first).
        // Both offer only the assignor under test, so the group must use it and Samsa must compute it
        // the way librdkafka expects to read it.
        using var samsa = Create(cluster.BootstrapServers, group, assignors: [assignor]);
        samsa.Subscribe([topic]);
        var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
        PollAll([samsa], sinks, () => samsa.Assignment.Count == 4, TimeSpan.FromSeconds(8));
        Assert.Equal(4, samsa.Assignment.Count);
        var kcatTask = Kcat.RunAsync(["-G", group, "-b", cluster.BootstrapServers, "-X", "auto.offset.reset=earliest",
            "-X", "partition.assignment.strategy=" + assignor,
            "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=300", "-u", "-f", "%p:%s\n", "-q", topic], timeout: TimeSpan.FromSeconds(12));
        PollAll([samsa], sinks, () => samsa.Assignment.Count is > 0 and < 4, TimeSpan.FromSeconds(10));
        var mine = samsa.Assignment.Select(tp => tp.Partition).ToHashSet();
        Assert.InRange(mine.Count, 1, 3);
        await ProduceAsync(cluster, topic, 4, 25);
        // Keep polling until kcat stops, so no rebalance happens while records are read (librdkafka
        // would re-read uncommitted records after one; that is its at-least-once, not the split under test).
        PollAll([samsa], sinks, () => kcatTask.IsCompleted, TimeSpan.FromSeconds(14));
        var kcat = await kcatTask;
        samsa.Close();
        var kcatRecords = kcat.Lines.Where(l => l.Contains(':', StringComparison.Ordinal)).Select(l => (Partition: int.Parse(l.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture), Value: l.Split(':')[1])).ToList();
        Output.WriteLine($"kcat read {kcatRecords.Count} records; stderr: {kcat.Stderr}");
        Assert.All(kcatRecords, r => Assert.DoesNotContain(r.Partition, mine));
        Assert.All(sinks[0], r => Assert.Contains(r.Partition, mine));
        var all = sinks[0].Select(r => r.Value!).Concat(kcatRecords.Select(r => r.Value)).ToList();
        Assert.Equal(100, all.Count);
        Assert.Equal(100, all.Distinct().Count());
    }

    protected sealed class RecordingListener : IConsumerRebalanceListener
    {
        public List<string> Events { get; } = [];

        public void OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions) => Events.Add("revoked:" + partitions.Count);

        public void OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions) => Events.Add("assigned:" + partitions.Count);

        public void OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions) => Events.Add("lost:" + partitions.Count);
    }

    sealed class ThrowingListener : IConsumerRebalanceListener
    {
        public int Calls { get; private set; }

        public void OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions) => Throw();

        public void OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions) => Throw();

        public void OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions) => Throw();

        void Throw()
        {
            Calls++;
            throw new InvalidOperationException("application bug in a rebalance callback");
        }
    }

    /// <summary>Like <see cref="PollAll"/>, collecting what Poll throws instead of stopping at it.</summary>
    static void PollAllCatching(IReadOnlyList<KafkaConsumer<string?, string?>> consumers, List<ConsumeResult<string?, string?>>[] sinks,
        List<KafkaException> failures, Func<bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done() && DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < consumers.Count; i++)
            {
                try
                {
                    sinks[i].AddRange(consumers[i].Poll(TimeSpan.FromMilliseconds(50)));
                }
                catch (KafkaException e)
                {
                    failures.Add(e);
                }
            }
        }
    }

    [Fact]
    public async Task A_throwing_rebalance_listener_surfaces_once_from_poll_and_the_group_carries_on()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gt", partitions: 2);
        await ProduceAsync(cluster, "gt", 2, 5);
        var listener = new ThrowingListener();
        using var first = Create(cluster.BootstrapServers, "group-throwing");
        first.Subscribe(["gt"], listener);
        var sinks = new[] { new List<ConsumeResult<string?, string?>>(), new List<ConsumeResult<string?, string?>>() };
        var failures = new List<KafkaException>();
        // OnPartitionsAssigned throws: Poll throws it (wrapped) after the assignment is in place,
        // and the following polls read the records.
        PollAllCatching([first], sinks, failures, () => sinks[0].Count >= 10, TimeSpan.FromSeconds(10));
        Assert.Equal(10, sinks[0].Count);
        Assert.NotEmpty(failures);
        Assert.All(failures, e => Assert.IsType<InvalidOperationException>(e.InnerException));
        Assert.Equal(listener.Calls, failures.Count);

        // A rebalance runs the (eager) revoke and assign callbacks again: each failure surfaces once
        // and the group still splits.
        using var second = Create(cluster.BootstrapServers, "group-throwing");
        second.Subscribe(["gt"]);
        PollAllCatching([first, second], sinks, failures, () => SplitsCompletely([first, second], 2), TimeSpan.FromSeconds(15));
        Assert.True(SplitsCompletely([first, second], 2));
        Assert.True(listener.Calls >= 3, $"listener called {listener.Calls} times");
        Assert.Equal(listener.Calls, failures.Count);
        Assert.Contains(failures, e => e.Message.Contains("OnPartitionsRevoked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cooperative_sticky_moves_only_the_partitions_that_change_owner()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gco", partitions: 4);
        var listener = new RecordingListener();
        using var first = Create(cluster.BootstrapServers, "group-coop", assignors: ["cooperative-sticky"]);
        first.Subscribe(["gco"], listener);
        var sinks = new[] { new List<ConsumeResult<string?, string?>>(), new List<ConsumeResult<string?, string?>>() };
        PollAll([first], sinks, () => first.Assignment.Count == 4, TimeSpan.FromSeconds(8));
        Assert.Equal(4, first.Assignment.Count);
        var before = first.Assignment.ToHashSet();

        using var second = Create(cluster.BootstrapServers, "group-coop", assignors: ["cooperative-sticky"]);
        second.Subscribe(["gco"]);
        PollAll([first, second], sinks, () => SplitsCompletely([first, second], 4), TimeSpan.FromSeconds(14));
        Assert.True(SplitsCompletely([first, second], 4), "assignments: " + string.Join(",", first.Assignment) + " | " + string.Join(",", second.Assignment));
        Assert.Equal(2, first.Assignment.Count);
        Assert.True(first.Assignment.All(before.Contains));
        // Never a revoke-everything: only the two moved partitions were revoked.
        Assert.Contains("revoked:2", listener.Events);
        Assert.DoesNotContain("revoked:4", listener.Events);
    }

    [Fact]
    public async Task Regex_subscription_matches_existing_topics_only()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("rx-a", partitions: 2);
        cluster.CreateTopic("rx-b", partitions: 1);
        cluster.CreateTopic("other", partitions: 1);
        using var consumer = Create(cluster.BootstrapServers, "group-regex");
        consumer.Subscribe(new System.Text.RegularExpressions.Regex("^rx-"));
        var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
        PollAll([consumer], sinks, () => consumer.Assignment.Count == 3, TimeSpan.FromSeconds(10));
        Assert.Equal(["rx-a-0", "rx-a-1", "rx-b-0"], consumer.Assignment.Select(tp => tp.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(["rx-a", "rx-b"], consumer.Subscription.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Close_commits_the_consumed_positions_when_auto_commit_is_on()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gac", partitions: 2);
        await ProduceAsync(cluster, "gac", 2, 15);
        var tp0 = new TopicPartition("gac", 0);
        var tp1 = new TopicPartition("gac", 1);
        // An interval far beyond the test: only Close can have committed.
        using (var first = Create(cluster.BootstrapServers, "group-autoclose", configure: c => c with { AutoCommitInterval = TimeSpan.FromMinutes(10) }))
        {
            first.Subscribe(["gac"]);
            var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
            PollAll([first], sinks, () => sinks[0].Count >= 30, TimeSpan.FromSeconds(10));
            Assert.Equal(30, sinks[0].Count);
            first.Close();
        }
        using var second = Create(cluster.BootstrapServers, "group-autoclose", autoCommit: false);
        var committed = second.Committed([tp0, tp1]);
        Assert.Equal(15, committed[tp0]!.Offset);
        Assert.Equal(15, committed[tp1]!.Offset);
    }

    [Fact]
    public async Task CommitAsync_stores_given_offsets_with_their_metadata_and_all_positions()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gca", partitions: 2);
        await ProduceAsync(cluster, "gca", 2, 10);
        var tp0 = new TopicPartition("gca", 0);
        var tp1 = new TopicPartition("gca", 1);
        using var consumer = Create(cluster.BootstrapServers, "group-commit-async", autoCommit: false);
        consumer.Subscribe(["gca"]);
        var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
        PollAll([consumer], sinks, () => sinks[0].Count >= 20, TimeSpan.FromSeconds(10));
        Assert.Equal(20, sinks[0].Count);

        await consumer.CommitAsync(new Dictionary<TopicPartition, OffsetAndMetadata> { [tp0] = new(4, "checkpoint-4") }).WaitAsync(TimeSpan.FromSeconds(15));
        var given = consumer.Committed([tp0, tp1]);
        Assert.Equal(4, given[tp0]!.Offset);
        Assert.Equal("checkpoint-4", given[tp0]!.Metadata);
        Assert.Null(given[tp1]);

        await consumer.CommitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        var all = consumer.Committed([tp0, tp1]);
        Assert.Equal(10, all[tp0]!.Offset);
        Assert.Equal(10, all[tp1]!.Offset);
    }

    [Fact]
    public async Task A_manually_assigned_consumer_commits_before_its_first_poll_and_a_new_one_starts_there()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gm", partitions: 1);
        await ProduceAsync(cluster, "gm", 1, 10);
        var tp = new TopicPartition("gm", 0);
        // No subscribe and no poll: an async commit waits for the coordinator lookup (it used to fail at once)...
        using (var early = Create(cluster.BootstrapServers, "group-manual", autoCommit: false))
        {
            early.Assign([tp]);
            await early.CommitAsync(new Dictionary<TopicPartition, OffsetAndMetadata> { [tp] = new(5) }).WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(5, early.Committed([tp], TimeSpan.FromSeconds(15))[tp]!.Offset);
        }
        // ...and a synchronous one finds the coordinator itself (it used to wait for ever).
        using (var first = Create(cluster.BootstrapServers, "group-manual", autoCommit: false))
        {
            first.Assign([tp]);
            first.Commit(new Dictionary<TopicPartition, OffsetAndMetadata> { [tp] = new(7) }, TimeSpan.FromSeconds(15));
            Assert.Equal(7, first.Committed([tp], TimeSpan.FromSeconds(15))[tp]!.Offset);
        }
        // Starts at the committed offset; auto-commit (on Close here) works without a subscription too.
        using (var second = Create(cluster.BootstrapServers, "group-manual", configure: c => c with { AutoCommitInterval = TimeSpan.FromMinutes(10) }))
        {
            second.Assign([tp]);
            var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
            PollAll([second], sinks, () => sinks[0].Count >= 3, TimeSpan.FromSeconds(10));
            Assert.Equal(["p0-7", "p0-8", "p0-9"], sinks[0].Select(r => r.Value));
        }
        using var third = Create(cluster.BootstrapServers, "group-manual", autoCommit: false);
        Assert.Equal(10, third.Committed([tp], TimeSpan.FromSeconds(15))[tp]!.Offset);
    }

    [Fact]
    public async Task A_member_that_stops_polling_leaves_the_group_loses_its_partitions_and_rejoins_on_its_next_poll()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("gpt", partitions: 4);
        using var survivor = Create(cluster.BootstrapServers, "group-poll-timeout");
        var slowListener = new RecordingListener();
        using var slow = Create(cluster.BootstrapServers, "group-poll-timeout", configure: c => c with { MaxPollInterval = TimeSpan.FromMilliseconds(1500) });
        survivor.Subscribe(["gpt"]);
        slow.Subscribe(["gpt"], slowListener);
        var sinks = new[] { new List<ConsumeResult<string?, string?>>(), new List<ConsumeResult<string?, string?>>() };
        PollAll([survivor, slow], sinks, () => SplitsCompletely([survivor, slow], 4), TimeSpan.FromSeconds(10));
        Assert.True(SplitsCompletely([survivor, slow], 4));

        // Only the survivor polls: past max.poll.interval.ms the slow member's heartbeat thread leaves the group.
        PollAll([survivor], sinks, () => survivor.Assignment.Count == 4, TimeSpan.FromSeconds(15));
        Assert.Equal(4, survivor.Assignment.Count);

        // Its next poll reports the partitions lost (not revoked: another member may own them now) and rejoins.
        PollAll([survivor, slow], sinks, () => SplitsCompletely([survivor, slow], 4), TimeSpan.FromSeconds(15));
        Assert.Contains("lost:2", slowListener.Events);
        Assert.True(SplitsCompletely([survivor, slow], 4), "assignments: " + string.Join(",", survivor.Assignment) + " | " + string.Join(",", slow.Assignment));
    }
}
