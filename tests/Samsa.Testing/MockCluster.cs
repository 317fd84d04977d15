using System.Globalization;
using System.Runtime.InteropServices;
using Samsa.Protocol;

namespace Samsa.Testing;

/// <summary>A broker address of a <see cref="MockCluster"/>.</summary>
/// <param name="Id">Broker id (the mock numbers brokers 1..N).</param>
/// <param name="Host">Listener host (always a loopback address).</param>
/// <param name="Port">Listener port.</param>
public sealed record MockBroker(int Id, string Host, int Port)
{
    /// <summary>"host:port", usable as a bootstrap server.</summary>
    public string Address => $"{Host}:{Port}";
}

/// <summary>
/// librdkafka's mock Kafka cluster (librdkafka 2.0.2, rdkafka_mock.h) running inside this process:
/// a broker implementation we did not write, for interop and fault tests.
/// </summary>
/// <remarks>
/// <para>Brokers are numbered 1..N and listen on 127.0.0.1 ephemeral ports. The mock keeps its
/// state in memory; known limits of 2.0.2: it returns at most one record batch per partition per
/// Fetch, keeps only a few MiB per partition (older segments are dropped), does not implement
/// CreateTopics/DeleteTopics (use <see cref="CreateTopic"/>), and auto-creates a topic (4 partitions
/// by default) when a Metadata request asks for an unknown topic with AllowAutoTopicCreation.</para>
/// <para>Fault injection: <see cref="PushRequestErrors(ApiKey, ErrorCode[])"/> makes the next requests
/// of an API fail with the given errors (any broker), <see cref="PushBrokerRequestErrors"/> does the
/// same on one broker with an optional delay, <see cref="PushDisconnects"/> makes the broker close
/// the connection instead of answering, <see cref="SetBrokerDown"/> refuses connections.</para>
/// <para>All methods are safe to call from any thread. Dispose stops every listener.</para>
/// </remarks>
public sealed class MockCluster : IDisposable
{
    /// <summary>
    /// librdkafka's RD_KAFKA_RESP_ERR__TRANSPORT: pushed as a request error, the mock broker
    /// disconnects the client instead of answering.
    /// </summary>
    public const ErrorCode TransportError = (ErrorCode)(-195);

    /// <summary>Partitions of a topic the mock creates on its own (Metadata with auto-creation, e.g. a producer's first send).</summary>
    public const int AutoCreatedPartitions = 4;

    private readonly Lock _lock = new();
    private IntPtr _rk;
    private IntPtr _cluster;

    /// <summary>Starts a mock cluster with <paramref name="brokerCount"/> brokers (ids 1..N).</summary>
    /// <exception cref="InvalidOperationException">librdkafka is not installed or the cluster cannot start.</exception>
    public MockCluster(int brokerCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        LibRdKafka.EnsureAvailable();
        _rk = CreateHostHandle();
        _cluster = LibRdKafka.rd_kafka_mock_cluster_new(_rk, brokerCount);
        if (_cluster == IntPtr.Zero)
        {
            LibRdKafka.rd_kafka_destroy(_rk);
            _rk = IntPtr.Zero;
            throw new InvalidOperationException($"rd_kafka_mock_cluster_new({brokerCount}) failed (could not open listeners on 127.0.0.1?)");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("rd_kafka_mock_cluster_bootstraps returned NULL");
        Brokers = ParseBrokers(BootstrapServers);
        if (Brokers.Count != brokerCount)
        {
            Dispose();
            throw new InvalidOperationException($"mock cluster reported {Brokers.Count} brokers ('{BootstrapServers}'), expected {brokerCount}");
        }
    }

    /// <summary>True when librdkafka.so.1 can be loaded (the mock cluster can run).</summary>
    public static bool IsAvailable => LibRdKafka.IsAvailable;

    /// <summary>Comma-separated "host:port" list of all brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>The brokers in id order (ids 1..N).</summary>
    public IReadOnlyList<MockBroker> Brokers { get; }

    /// <summary>Returns the broker with id <paramref name="brokerId"/>.</summary>
    public MockBroker Broker(int brokerId)
    {
        foreach (var broker in Brokers)
        {
            if (broker.Id == brokerId)
            {
                return broker;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(brokerId), brokerId, $"no broker {brokerId}; brokers are 1..{Brokers.Count}");
    }

    /// <summary>Creates a topic (the mock does not support CreateTopics requests).</summary>
    public void CreateTopic(string name, int partitions = 1, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Call(h => LibRdKafka.rd_kafka_mock_topic_create(h, name, partitions, replicationFactor), $"create topic '{name}' ({partitions} partitions, rf {replicationFactor})");
    }

    /// <summary>Makes <paramref name="brokerId"/> disconnect its clients and refuse new connections (-1 for all). Leadership does not move.</summary>
    public void SetBrokerDown(int brokerId) =>
        Call(h => LibRdKafka.rd_kafka_mock_broker_set_down(h, brokerId), $"set broker {brokerId} down");

    /// <summary>Makes <paramref name="brokerId"/> accept connections again (-1 for all).</summary>
    public void SetBrokerUp(int brokerId) =>
        Call(h => LibRdKafka.rd_kafka_mock_broker_set_up(h, brokerId), $"set broker {brokerId} up");

    /// <summary>Delays every response of <paramref name="brokerId"/> (-1 for all) by <paramref name="rttMs"/> ms.</summary>
    public void SetRtt(int brokerId, int rttMs) =>
        Call(h => LibRdKafka.rd_kafka_mock_broker_set_rtt(h, brokerId, rttMs), $"set broker {brokerId} rtt {rttMs} ms");

    /// <summary>Sets the rack reported for <paramref name="brokerId"/> in Metadata (-1 for all).</summary>
    public void SetBrokerRack(int brokerId, string rack) =>
        Call(h => LibRdKafka.rd_kafka_mock_broker_set_rack(h, brokerId, rack), $"set broker {brokerId} rack '{rack}'");

    /// <summary>Moves the leadership of a partition (creating the topic if needed); -1 makes it leaderless.</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Call(h => LibRdKafka.rd_kafka_mock_partition_set_leader(h, topic, partition, brokerId), $"set leader of {topic}-{partition} to {brokerId}");

    /// <summary>Sets the preferred read replica of a partition (KIP-392).</summary>
    public void SetPartitionFollower(string topic, int partition, int brokerId) =>
        Call(h => LibRdKafka.rd_kafka_mock_partition_set_follower(h, topic, partition, brokerId), $"set follower of {topic}-{partition} to {brokerId}");

    /// <summary>Sets the follower's low/high watermarks (-1 reverts to the leader's).</summary>
    public void SetPartitionFollowerWatermarks(string topic, int partition, long low, long high) =>
        Call(h => LibRdKafka.rd_kafka_mock_partition_set_follower_wmarks(h, topic, partition, low, high), $"set follower watermarks of {topic}-{partition}");

    /// <summary>
    /// The next <c>errors.Length</c> requests of <paramref name="apiKey"/> to any broker fail, in
    /// order, with these errors. <see cref="TransportError"/> closes the connection instead.
    /// </summary>
    public void PushRequestErrors(ApiKey apiKey, params ErrorCode[] errors)
    {
        var codes = new short[errors.Length];
        for (var i = 0; i < errors.Length; i++)
        {
            codes[i] = (short)errors[i];
        }
        PushRequestErrors((short)apiKey, codes);
    }

    /// <summary>Raw form of <see cref="PushRequestErrors(ApiKey, ErrorCode[])"/>.</summary>
    public unsafe void PushRequestErrors(short apiKey, params short[] errors)
    {
        if (errors.Length == 0)
        {
            return;
        }
        var ints = new int[errors.Length];
        for (var i = 0; i < errors.Length; i++)
        {
            ints[i] = errors[i];
        }
        lock (_lock)
        {
            fixed (int* p = ints)
            {
                LibRdKafka.rd_kafka_mock_push_request_errors_array(HandleLocked, apiKey, (nuint)ints.Length, p);
            }
        }
    }

    /// <summary>The next <paramref name="count"/> requests of <paramref name="apiKey"/> make the broker drop the connection.</summary>
    public void PushDisconnects(ApiKey apiKey, int count = 1)
    {
        var errors = new ErrorCode[count];
        Array.Fill(errors, TransportError);
        PushRequestErrors(apiKey, errors);
    }

    /// <summary>Clears the cluster-level error stack of <paramref name="apiKey"/>.</summary>
    public void ClearRequestErrors(ApiKey apiKey)
    {
        lock (_lock)
        {
            LibRdKafka.rd_kafka_mock_clear_request_errors(HandleLocked, (short)apiKey);
        }
    }

    /// <summary>
    /// The next requests of <paramref name="apiKey"/> to <paramref name="brokerId"/> get, in order,
    /// these errors (<see cref="ErrorCode.None"/> to answer normally) after the given delays.
    /// Broker errors take precedence over cluster errors. Caveat (librdkafka 2.0.2): once errors were
    /// pushed for an API on a broker, that broker's (possibly empty) stack shadows the cluster-level
    /// stack of the API for good, so cluster errors pushed later never reach that broker.
    /// </summary>
    public void PushBrokerRequestErrors(int brokerId, ApiKey apiKey, params (ErrorCode Error, int RttMs)[] errors)
    {
        foreach (var (error, rttMs) in errors)
        {
            Call(h => LibRdKafka.rd_kafka_mock_broker_push_request_error_rtts_1(h, brokerId, (short)apiKey, 1, (short)error, rttMs),
                $"push {error} ({rttMs} ms) for {apiKey} on broker {brokerId}");
        }
    }

    /// <summary>How many errors are still queued for <paramref name="apiKey"/> on <paramref name="brokerId"/>.</summary>
    public unsafe int BrokerErrorStackCount(int brokerId, ApiKey apiKey)
    {
        nuint count = 0;
        int err;
        lock (_lock)
        {
            err = LibRdKafka.rd_kafka_mock_broker_error_stack_cnt(HandleLocked, brokerId, (short)apiKey, &count);
        }
        Check(err, $"error stack count of {apiKey} on broker {brokerId}");
        return (int)count;
    }

    /// <summary>Sets the topic-level error returned in Metadata and AddPartitionsToTxn (<see cref="ErrorCode.None"/> clears it).</summary>
    public void SetTopicError(string topic, ErrorCode error)
    {
        lock (_lock)
        {
            LibRdKafka.rd_kafka_mock_topic_set_error(HandleLocked, topic, (short)error);
        }
    }

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of consumer group <paramref name="groupId"/>.</summary>
    public void SetGroupCoordinator(string groupId, int brokerId) =>
        Call(h => LibRdKafka.rd_kafka_mock_coordinator_set(h, "group", groupId, brokerId), $"set coordinator of group '{groupId}' to {brokerId}");

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of <paramref name="transactionalId"/>.</summary>
    public void SetTransactionCoordinator(string transactionalId, int brokerId) =>
        Call(h => LibRdKafka.rd_kafka_mock_coordinator_set(h, "transaction", transactionalId, brokerId), $"set coordinator of transaction '{transactionalId}' to {brokerId}");

    /// <summary>Restricts the version range the brokers advertise and accept for <paramref name="apiKey"/>.</summary>
    public void SetApiVersion(ApiKey apiKey, short minVersion, short maxVersion) =>
        Call(h => LibRdKafka.rd_kafka_mock_set_apiversion(h, (short)apiKey, minVersion, maxVersion), $"set {apiKey} versions {minVersion}..{maxVersion}");

    /// <summary>Removes <paramref name="apiKey"/> from ApiVersions and rejects its requests.</summary>
    public void DisableApi(ApiKey apiKey) => SetApiVersion(apiKey, -1, -1);

    /// <summary>Stops all brokers and frees the cluster. Safe to call twice.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_cluster != IntPtr.Zero)
            {
                LibRdKafka.rd_kafka_mock_cluster_destroy(_cluster);
                _cluster = IntPtr.Zero;
            }
            if (_rk != IntPtr.Zero)
            {
                LibRdKafka.rd_kafka_destroy(_rk);
                _rk = IntPtr.Zero;
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"MockCluster({BootstrapServers})";

    // Every native call runs under the lock so Dispose cannot free the cluster in the middle of one.
    private void Call(Func<IntPtr, int> call, string what)
    {
        int err;
        lock (_lock)
        {
            err = call(HandleLocked);
        }
        Check(err, what);
    }

    private IntPtr HandleLocked => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockCluster));

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new InvalidOperationException($"mock cluster: {what} failed: {LibRdKafka.ErrorString(err)} ({err})");
        }
    }

    private static unsafe IntPtr CreateHostHandle()
    {
        // The mock cluster needs an rd_kafka_t for its bookkeeping; an unconfigured producer that
        // never connects anywhere. Keep it quiet: its "no bootstrap.servers" warning is expected.
        var conf = LibRdKafka.rd_kafka_conf_new();
        var errstr = stackalloc byte[512];
        SetConf(conf, "log_level", "1", errstr);
        SetConf(conf, "client.id", "samsa-mockcluster", errstr);
        var rk = LibRdKafka.rd_kafka_new(LibRdKafka.ProducerType, conf, errstr, 512);
        if (rk == IntPtr.Zero)
        {
            var message = Marshal.PtrToStringUTF8((IntPtr)errstr);
            LibRdKafka.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"rd_kafka_new failed: {message}");
        }
        return rk;
    }

    private static unsafe void SetConf(IntPtr conf, string name, string value, byte* errstr)
    {
        if (LibRdKafka.rd_kafka_conf_set(conf, name, value, errstr, 512) != LibRdKafka.ConfOk)
        {
            var message = Marshal.PtrToStringUTF8((IntPtr)errstr);
            LibRdKafka.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"rd_kafka_conf_set({name}={value}) failed: {message}");
        }
    }

    private static List<MockBroker> ParseBrokers(string bootstraps)
    {
        // librdkafka lists the listeners in broker id order: "127.0.0.1:p1,127.0.0.1:p2,...".
        var brokers = new List<MockBroker>();
        var id = 1;
        foreach (var part in bootstraps.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            brokers.Add(new MockBroker(id++, part[..colon], int.Parse(part.AsSpan(colon + 1), CultureInfo.InvariantCulture)));
        }
        return brokers;
    }
}
