using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;
using Samsa.Protocol.Tests.Generated;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>
/// Every generated message at every version: populated samples (every field that exists at the
/// version holds a non-default value, flexible structs carry an unknown tagged field) must survive
/// write + read unchanged, ComputeSize must equal the bytes written, and damaged input must fail
/// with KafkaProtocolException only.
/// </summary>
public class MessageRoundTripTests
{
    public static IEnumerable<object[]> AllMessagesAndVersions()
    {
        foreach (var (name, lowest, highest) in MessageSamples.Messages)
        {
            for (var v = lowest; v <= highest; v++)
                yield return [name, v];
        }
    }

    public static IEnumerable<object[]> AllMessages()
    {
        foreach (var (name, _, _) in MessageSamples.Messages)
            yield return [name];
    }

    internal static byte[] Serialize(IKafkaMessage message, short version)
    {
        using var buffer = new ByteBufferWriter();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        return buffer.ToArray();
    }

    [Theory]
    [MemberData(nameof(AllMessagesAndVersions))]
    public void Populated_message_round_trips_with_every_field(string name, short version)
    {
        var sample = MessageSamples.Create(name, version);
        var bytes = Serialize(sample, version);
        Assert.Equal(bytes.Length, sample.ComputeSize(version));

        var reader = new KafkaReader(bytes.AsMemory());
        var read = MessageSamples.Read(name, ref reader, version);
        Assert.Equal(0, reader.Remaining);

        var diffs = new List<string>();
        MessageSamples.Compare(sample, read, diffs);
        Assert.Empty(diffs);
        Assert.Equal(bytes, Serialize(read, version));
    }

    [Theory]
    [MemberData(nameof(AllMessagesAndVersions))]
    public void Default_message_round_trips(string name, short version)
    {
        var message = MessageSamples.CreateDefault(name);
        var bytes = Serialize(message, version);
        Assert.Equal(bytes.Length, message.ComputeSize(version));
        var reader = new KafkaReader(bytes.AsSpan());
        var read = MessageSamples.Read(name, ref reader, version);
        Assert.Equal(0, reader.Remaining);
        var diffs = new List<string>();
        MessageSamples.Compare(message, read, diffs);
        Assert.Empty(diffs);
    }

    [Theory]
    [MemberData(nameof(AllMessagesAndVersions))]
    public void Truncated_input_throws_protocol_exception(string name, short version)
    {
        var bytes = Serialize(MessageSamples.Create(name, version), version);
        // Every cut for short messages; for long ones the first 64 cuts and an even spread after.
        var step = bytes.Length <= 128 ? 1 : Math.Max(1, bytes.Length / 64);
        for (var cut = 0; cut < bytes.Length; cut += cut < 64 ? 1 : step)
        {
            var prefix = bytes.AsMemory(0, cut);
            Assert.Throws<KafkaProtocolException>(() =>
            {
                var reader = new KafkaReader(prefix);
                MessageSamples.Read(name, ref reader, version);
            });
        }
    }

    [Theory]
    [MemberData(nameof(AllMessagesAndVersions))]
    public void Corrupted_input_throws_only_protocol_exception_without_big_allocations(string name, short version)
    {
        var original = Serialize(MessageSamples.Create(name, version), version);
        if (original.Length == 0)
            return;
        var random = new Random(HashCode.Combine(name.Length, name[0], name[^1], version));
        for (var round = 0; round < 40; round++)
        {
            var bytes = (byte[])original.Clone();
            var changes = 1 + random.Next(3);
            for (var c = 0; c < changes; c++)
            {
                // Mostly 0xFF / 0x7F / 0x80 bytes: they make lengths negative, huge or bad varints.
                bytes[random.Next(bytes.Length)] = random.Next(4) switch
                {
                    0 => 0xFF,
                    1 => 0x7F,
                    2 => 0x80,
                    _ => (byte)random.Next(256),
                };
            }
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var reader = new KafkaReader(bytes.AsMemory());
                MessageSamples.Read(name, ref reader, version);
            }
            catch (KafkaProtocolException)
            {
                // expected for most corruptions
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 1_000_000 + 200L * bytes.Length, $"{name} v{version}: {allocated} bytes allocated for a {bytes.Length}-byte input");
        }
    }

    [Theory]
    [MemberData(nameof(AllMessages))]
    public void Versions_outside_the_valid_range_are_refused(string name)
    {
        var (_, lowest, highest) = Array.Find(MessageSamples.Messages, m => m.Name == name);
        var message = MessageSamples.CreateDefault(name);
        foreach (var bad in new[] { (short)(lowest - 1), (short)(highest + 1) })
        {
            var e = Assert.Throws<KafkaProtocolException>(() => Serialize(message, bad));
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
            var bytes = Serialize(message, highest);
            Assert.Throws<KafkaProtocolException>(() =>
            {
                var reader = new KafkaReader(bytes.AsMemory());
                MessageSamples.Read(name, ref reader, bad);
            });
        }
    }
}
