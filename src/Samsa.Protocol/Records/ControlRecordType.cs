using System.Buffers.Binary;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Records;

/// <summary>
/// The type in a control record's key (key: version int16, type int16). Transaction markers are
/// Abort and Commit; the others appear in KRaft metadata logs.
/// </summary>
public enum ControlRecordType : short
{
    /// <summary>A type this client does not know.</summary>
    Unknown = -1,
    /// <summary>Transaction aborted.</summary>
    Abort = 0,
    /// <summary>Transaction committed.</summary>
    Commit = 1,
    /// <summary>KRaft leader change.</summary>
    LeaderChange = 2,
    /// <summary>KRaft snapshot header.</summary>
    SnapshotHeader = 3,
    /// <summary>KRaft snapshot footer.</summary>
    SnapshotFooter = 4,
    /// <summary>KRaft version.</summary>
    KRaftVersion = 5,
    /// <summary>KRaft voters.</summary>
    KRaftVoters = 6,
}

/// <summary>Reads and writes control record keys (Java's ControlRecordType.parse / recordKey).</summary>
public static class ControlRecord
{
    /// <summary>Bytes of a control record key.</summary>
    public const int KeySize = 4;

    /// <summary>The current key version.</summary>
    public const short CurrentKeyVersion = 0;

    /// <summary>Parses the type from a control record key; unknown types give <see cref="ControlRecordType.Unknown"/>.</summary>
    public static ControlRecordType ParseType(ReadOnlySpan<byte> key)
    {
        if (key.Length < KeySize)
            throw new CorruptRecordException($"Control record key has {key.Length} bytes; at least {KeySize} are needed.");
        var version = BinaryPrimitives.ReadInt16BigEndian(key);
        if (version < 0)
            throw new CorruptRecordException($"Control record key has invalid version {version}.");
        var type = BinaryPrimitives.ReadInt16BigEndian(key[2..]);
        return type is >= 0 and <= 6 ? (ControlRecordType)type : ControlRecordType.Unknown;
    }

    /// <summary>Writes a control record key; returns its size.</summary>
    public static int WriteKey(Span<byte> destination, ControlRecordType type)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, CurrentKeyVersion);
        BinaryPrimitives.WriteInt16BigEndian(destination[2..], (short)type);
        return KeySize;
    }
}
