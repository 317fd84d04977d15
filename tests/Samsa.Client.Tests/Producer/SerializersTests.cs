using Samsa.Client.Serialization;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Tests.Producer;

public class SerializersTests
{
    private static byte[] Serialize<T>(ISerializer<T> s, T value)
    {
        using var w = new ByteBufferWriter();
        s.Serialize(value, w, new SerializationContext("t", MessageComponentType.Value));
        return w.ToArray();
    }

    [Fact]
    public void Int32_and_int64_are_big_endian_like_java()
    {
        Assert.Equal(new byte[] { 0x01, 0x02, 0x03, 0x04 }, Serialize(Serializers.Int32, 0x01020304));
        Assert.Equal(new byte[] { 0xff, 0xff, 0xff, 0xfe }, Serialize(Serializers.Int32, -2));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0x01, 0x00 }, Serialize(Serializers.Int64, 256L));
    }

    [Fact]
    public void Utf8_round_trips()
    {
        var bytes = Serialize(Serializers.Utf8, "h\u00e9llo");
        Assert.Equal("h\u00e9llo", Deserializers.Utf8.Deserialize(bytes, false, default));
        Assert.Null(Deserializers.Utf8.Deserialize([], true, default));
    }

    [Fact]
    public void Int_deserializer_rejects_wrong_length_naming_topic()
    {
        var e = Assert.ThrowsAny<Exception>(() => Deserializers.Int32.Deserialize(new byte[3], false, new SerializationContext("orders", MessageComponentType.Key)));
        Assert.Contains("orders", e.Message);
        Assert.Equal(258, Deserializers.Int32.Deserialize(new byte[] { 0, 0, 1, 2 }, false, default));
        Assert.Equal(-2L, Deserializers.Int64.Deserialize(Serialize(Serializers.Int64, -2L), false, default));
    }

    [Fact]
    public void Default_serializer_is_found_for_builtin_types_only()
    {
        Assert.Same(Serializers.ByteArray, Serializers.GetDefault<byte[]>());
        Assert.Same(Serializers.Utf8, Serializers.GetDefault<string>());
        Assert.Throws<ArgumentException>(() => Serializers.GetDefault<Guid>());
    }
}
