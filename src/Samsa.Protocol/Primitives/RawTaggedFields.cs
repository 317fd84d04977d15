namespace Samsa.Protocol.Primitives;

/// <summary>
/// Writes and sizes the unknown tagged fields a message kept from a read (Java's RawTaggedFieldWriter).
/// Tagged fields must go out in ascending tag order, so generated code interleaves the kept ones with
/// the known ones: before each known tag it writes the kept fields with smaller tags.
/// </summary>
public static class RawTaggedFields
{
    /// <summary>Encoded size of the given tagged fields (headers included).</summary>
    public static int SizeOf(List<TaggedField>? fields)
    {
        if (fields is null)
            return 0;
        var size = 0;
        for (var i = 0; i < fields.Count; i++)
        {
            var data = fields[i].Data ?? [];
            size += VarInt.SizeOfUnsigned((uint)fields[i].Tag) + VarInt.SizeOfUnsigned((uint)data.Length) + data.Length;
        }
        return size;
    }

    /// <summary>Writes every field in the list, in list order.</summary>
    public static void WriteAll(ref KafkaWriter writer, List<TaggedField>? fields)
    {
        if (fields is null)
            return;
        for (var i = 0; i < fields.Count; i++)
            writer.WriteRawTaggedField(Normalize(fields[i]));
    }

    /// <summary>
    /// Writes the fields from <paramref name="index"/> on whose tag is below <paramref name="tagLimit"/>,
    /// advancing <paramref name="index"/> past them.
    /// </summary>
    public static void WriteBelow(ref KafkaWriter writer, List<TaggedField>? fields, ref int index, int tagLimit)
    {
        if (fields is null)
            return;
        while (index < fields.Count && fields[index].Tag < tagLimit)
        {
            writer.WriteRawTaggedField(Normalize(fields[index]));
            index++;
        }
    }

    private static TaggedField Normalize(TaggedField field)
        => field.Data is null ? field with { Data = [] } : field;
}
