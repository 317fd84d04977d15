namespace Samsa.Protocol.Records;

/// <summary>What a record's timestamp means (batch attribute bit 3; legacy v1 attribute bit 3).</summary>
public enum TimestampType : sbyte
{
    /// <summary>Legacy magic 0 messages carry no timestamp.</summary>
    NoTimestampType = -1,

    /// <summary>The producer's timestamp.</summary>
    CreateTime = 0,

    /// <summary>The broker's append time (topic config message.timestamp.type=LogAppendTime).</summary>
    LogAppendTime = 1,
}
