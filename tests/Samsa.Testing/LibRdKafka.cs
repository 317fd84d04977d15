using System.Runtime.InteropServices;

namespace Samsa.Testing;

/// <summary>
/// P/Invoke declarations for the parts of librdkafka (Debian package librdkafka1, 2.0.2) the fixtures
/// use: a bare handle to host the mock cluster, and the mock cluster API from rdkafka_mock.h.
/// </summary>
internal static partial class LibRdKafka
{
    public const string Library = "librdkafka.so.1";

    /// <summary>rd_kafka_type_t RD_KAFKA_PRODUCER.</summary>
    public const int ProducerType = 0;

    /// <summary>rd_kafka_conf_res_t RD_KAFKA_CONF_OK.</summary>
    public const int ConfOk = 0;

    private static readonly Lazy<string?> s_loadError = new(ProbeLibrary);

    /// <summary>True when librdkafka.so.1 can be loaded in this process.</summary>
    public static bool IsAvailable => s_loadError.Value is null;

    /// <summary>Throws a message that says how to install librdkafka when it cannot be loaded.</summary>
    public static void EnsureAvailable()
    {
        if (s_loadError.Value is { } error)
        {
            throw new InvalidOperationException(
                $"librdkafka ({Library}) could not be loaded: {error}. The mock cluster and kcat fixtures need it; " +
                "install it with `apt-get install -y librdkafka1 librdkafka-dev kcat` (or run ./build.sh test as root).");
        }
    }

    private static string? ProbeLibrary()
    {
        try
        {
            if (NativeLibrary.TryLoad(Library, typeof(LibRdKafka).Assembly, DllImportSearchPath.SafeDirectories, out _))
            {
                return null;
            }
            return "library not found";
        }
        catch (BadImageFormatException e)
        {
            return e.Message;
        }
    }

    public static string ErrorString(int err) => Marshal.PtrToStringUTF8(rd_kafka_err2str(err)) ?? $"error {err}";

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_err2str(int err);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(Library)]
    public static unsafe partial IntPtr rd_kafka_new(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Library)]
    public static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr mcluster);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_clear_request_errors(IntPtr mcluster, short apiKey);

    [LibraryImport(Library)]
    public static unsafe partial void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, nuint count, int* errors);

    // The C function is variadic: (mcluster, broker_id, ApiKey, cnt, ...) followed by cnt pairs of
    // (rd_kafka_resp_err_t err, int rtt_ms). On x86-64 SysV and Linux AArch64, integer variadic
    // arguments are passed exactly like fixed ones (registers, then 8-byte stack slots), so a fixed
    // signature carrying one pair is a correct call; callers push one pair per call.
    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_push_request_error_rtts")]
    public static partial int rd_kafka_mock_broker_push_request_error_rtts_1(
        IntPtr mcluster, int brokerId, short apiKey, nuint count, int err, int rttMs);

    [LibraryImport(Library)]
    public static unsafe partial int rd_kafka_mock_broker_error_stack_cnt(IntPtr mcluster, int brokerId, short apiKey, nuint* count);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void rd_kafka_mock_topic_set_error(IntPtr mcluster, string topic, int err);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_set_leader(IntPtr mcluster, string topic, int partition, int brokerId);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_set_follower(IntPtr mcluster, string topic, int partition, int brokerId);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_set_follower_wmarks(IntPtr mcluster, string topic, int partition, long lo, long hi);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_set_rtt(IntPtr mcluster, int brokerId, int rttMs);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_broker_set_rack(IntPtr mcluster, int brokerId, string rack);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_coordinator_set(IntPtr mcluster, string keyType, string key, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_set_apiversion(IntPtr mcluster, short apiKey, short minVersion, short maxVersion);
}
