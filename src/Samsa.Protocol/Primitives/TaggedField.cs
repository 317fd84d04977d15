namespace Samsa.Protocol.Primitives;

/// <summary>
/// A tagged field this version of Samsa does not know. Kept verbatim so that a message read and
/// written back is byte-identical (KIP-482).
/// </summary>
public readonly record struct TaggedField(int Tag, byte[] Data);
