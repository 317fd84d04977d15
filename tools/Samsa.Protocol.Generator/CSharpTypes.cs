using System.Globalization;

namespace Samsa.Protocol.Generator;

/// <summary>Maps spec types, defaults and version conditions to C#.</summary>
internal static class CSharpTypes
{
    /// <summary>
    /// A C# condition that holds exactly for versions in <paramref name="range"/>, assuming the version
    /// is already within <paramref name="context"/>. Null means always; "false" means never.
    /// </summary>
    public static string? Condition(VersionRange range, VersionRange context)
    {
        var effective = range.Intersect(context);
        if (effective.IsEmpty)
            return "false";
        var parts = new List<string>(2);
        if (effective.Lowest > context.Lowest)
            parts.Add($"version >= {effective.Lowest}");
        if (effective.Highest < context.Highest)
            parts.Add($"version <= {effective.Highest}");
        return parts.Count == 0 ? null : string.Join(" && ", parts);
    }

    public static string ElementType(FieldType t, MessageModel m) => t.Kind switch
    {
        TypeKind.Bool => "bool",
        TypeKind.Int8 => "sbyte",
        TypeKind.Int16 => "short",
        TypeKind.UInt16 => "ushort",
        TypeKind.Int32 => "int",
        TypeKind.UInt32 => "uint",
        TypeKind.Int64 => "long",
        TypeKind.Float64 => "double",
        TypeKind.Uuid => "Guid",
        TypeKind.String => "string",
        TypeKind.Bytes => "byte[]",
        TypeKind.Records => "ReadOnlyMemory<byte>",
        TypeKind.Struct => m.StructOf(new FieldSpec { Name = "?", Type = t, Versions = VersionRange.All }).ClassName,
        TypeKind.Array => "List<" + ElementType(t.Element!, m) + ">",
        _ => throw new InvalidOperationException(t.Kind.ToString()),
    };

    /// <summary>Versions in which the field may be null.</summary>
    public static VersionRange NullableIn(FieldSpec f) => f.NullableVersions.Intersect(f.Versions);

    /// <summary>True when the property's C# type is nullable.</summary>
    public static bool IsNullableProperty(FieldSpec f)
    {
        if (f.Type.Kind == TypeKind.Records)
            return true;
        if (NullableIn(f).IsEmpty)
            return false;
        if (f.Type.IsFixed)
            throw new FormatException($"Field {f.Name} of type {f.Type} cannot be nullable.");
        return true;
    }

    public static string PropertyType(FieldSpec f, MessageModel m)
    {
        if (f.Type.Kind == TypeKind.Records)
            return "ReadOnlyMemory<byte>?";
        var t = ElementType(f.Type, m);
        return IsNullableProperty(f) ? t + "?" : t;
    }

    private static bool DefaultIsNull(FieldSpec f) => string.Equals(f.Default, "null", StringComparison.Ordinal);

    /// <summary>The property initializer, or null when the C# default already matches.</summary>
    public static string DefaultExpression(FieldSpec f, MessageModel m)
    {
        var t = f.Type;
        switch (t.Kind)
        {
            case TypeKind.Bool:
                return ParseBool(f) ? "true" : "false";
            case TypeKind.Int8:
            case TypeKind.Int16:
            case TypeKind.UInt16:
            case TypeKind.Int32:
            case TypeKind.UInt32:
            case TypeKind.Int64:
                return IntegerLiteral(f);
            case TypeKind.Float64:
                return FloatLiteral(f);
            case TypeKind.Uuid:
                return "Guid.Empty";
            case TypeKind.String:
                if (DefaultIsNull(f))
                    return IsNullableProperty(f) ? "null" : throw new FormatException($"Field {f.Name} defaults to null but is not nullable.");
                return CodeWriter.Literal(f.Default ?? "");
            case TypeKind.Bytes:
                if (DefaultIsNull(f))
                    return IsNullableProperty(f) ? "null" : throw new FormatException($"Field {f.Name} defaults to null but is not nullable.");
                return "Array.Empty<byte>()";
            case TypeKind.Records:
                return NullableIn(f).IsEmpty ? "ReadOnlyMemory<byte>.Empty" : "null";
            case TypeKind.Array:
                if (DefaultIsNull(f))
                    return IsNullableProperty(f) ? "null" : throw new FormatException($"Field {f.Name} defaults to null but is not nullable.");
                return "new()";
            case TypeKind.Struct:
                if (DefaultIsNull(f))
                    return IsNullableProperty(f) ? "null" : throw new FormatException($"Field {f.Name} defaults to null but is not nullable.");
                return "new()";
            default:
                throw new InvalidOperationException(t.Kind.ToString());
        }
    }

    /// <summary>A condition that is true when the property does not hold its default value.</summary>
    public static string NonDefaultCondition(FieldSpec f, string access)
    {
        var t = f.Type;
        switch (t.Kind)
        {
            case TypeKind.Bool:
                return ParseBool(f) ? "!" + access : access;
            case TypeKind.Int8:
            case TypeKind.Int16:
            case TypeKind.UInt16:
            case TypeKind.Int32:
            case TypeKind.UInt32:
            case TypeKind.Int64:
                return $"{access} != {IntegerLiteral(f)}";
            case TypeKind.Float64:
                return $"{access} != {FloatLiteral(f)}";
            case TypeKind.Uuid:
                return $"{access} != Guid.Empty";
            case TypeKind.String:
                return DefaultIsNull(f) ? $"{access} is not null" : $"{access} != {CodeWriter.Literal(f.Default ?? "")}";
            case TypeKind.Bytes:
                return DefaultIsNull(f) ? $"{access} is not null" : $"{access} is {{ Length: > 0 }}";
            case TypeKind.Records:
                return NullableIn(f).IsEmpty ? $"{access} is {{ Length: > 0 }}" : $"{access}.HasValue";
            case TypeKind.Array:
                return DefaultIsNull(f) ? $"{access} is not null" : $"{access} is {{ Count: > 0 }}";
            case TypeKind.Struct:
                return DefaultIsNull(f) ? $"{access} is not null" : $"({access} is not null && !{access}.HasDefaultValues())";
            default:
                throw new InvalidOperationException(t.Kind.ToString());
        }
    }

    private static bool ParseBool(FieldSpec f)
    {
        if (f.Default is null)
            return false;
        return f.Default.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new FormatException($"Field {f.Name}: invalid bool default '{f.Default}'."),
        };
    }

    public static string IntegerLiteral(FieldSpec f)
    {
        var text = f.Default ?? "0";
        long value;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            value = long.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        else if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            throw new FormatException($"Field {f.Name}: invalid integer default '{text}'.");
        var (min, max) = f.Type.Kind switch
        {
            TypeKind.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            TypeKind.Int16 => (short.MinValue, short.MaxValue),
            TypeKind.UInt16 => (ushort.MinValue, ushort.MaxValue),
            TypeKind.Int32 => (int.MinValue, int.MaxValue),
            TypeKind.UInt32 => (uint.MinValue, uint.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (value < min || value > max)
            throw new FormatException($"Field {f.Name}: default {text} is out of range for {f.Type}.");
        var s = value.ToString(CultureInfo.InvariantCulture);
        return f.Type.Kind == TypeKind.Int64 ? s + "L" : s;
    }

    private static string FloatLiteral(FieldSpec f)
    {
        var text = f.Default ?? "0";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new FormatException($"Field {f.Name}: invalid float64 default '{text}'.");
        return value.ToString("R", CultureInfo.InvariantCulture) + "d";
    }

    /// <summary>Smallest number of bytes one value of the type takes at a version (for array length checks).</summary>
    public static int MinSize(FieldType t, FieldSpec? f, MessageModel m, int version, bool flexible, int depth = 0)
    {
        if (depth > 32)
            return 1;
        switch (t.Kind)
        {
            case TypeKind.String:
                return flexible ? 1 : 2;
            case TypeKind.Bytes:
            case TypeKind.Records:
            case TypeKind.Array:
                return flexible ? 1 : 4;
            case TypeKind.Struct:
                if (f is not null && NullableIn(f).Contains(version))
                    return 1;
                var c = m.StructOf(new FieldSpec { Name = "?", Type = t, Versions = VersionRange.All });
                var size = flexible ? 1 : 0;
                foreach (var inner in c.Fields)
                {
                    if (inner.IsTagged || !inner.Versions.Contains(version))
                        continue;
                    var innerFlexible = inner.FlexibleVersions is { } o ? o.Contains(version) : flexible;
                    size += MinSize(inner.Type, inner, m, version, innerFlexible, depth + 1);
                }
                return size;
            default:
                return t.FixedSize;
        }
    }

    /// <summary>Minimum element size of an array field over the versions it appears in, at least 1.</summary>
    public static int MinElementSize(FieldSpec arrayField, ClassModel owner)
    {
        var m = owner.Message;
        var element = arrayField.Type.Element!;
        var range = arrayField.Versions.Intersect(owner.Context);
        if (range.IsEmpty)
            return 1;
        var min = int.MaxValue;
        for (int v = range.Lowest; v <= range.Highest; v++)
        {
            var flexible = m.Spec.FlexibleVersions.Contains(v);
            min = Math.Min(min, MinSize(element, null, m, v, flexible));
        }
        return Math.Max(1, min);
    }
}
