namespace Samsa.Protocol.Generator;

internal enum TypeKind
{
    Bool,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    Float64,
    Uuid,
    String,
    Bytes,
    Records,
    Struct,
    Array,
}

/// <summary>A field type from the spec: a primitive, a struct name, or an array of either.</summary>
internal sealed record FieldType(TypeKind Kind, string? StructName = null, FieldType? Element = null)
{
    public bool IsArray => Kind == TypeKind.Array;

    public bool IsStruct => Kind == TypeKind.Struct;

    /// <summary>Fixed-width primitives (written without a length).</summary>
    public bool IsFixed => Kind is TypeKind.Bool or TypeKind.Int8 or TypeKind.Int16 or TypeKind.UInt16
        or TypeKind.Int32 or TypeKind.UInt32 or TypeKind.Int64 or TypeKind.Float64 or TypeKind.Uuid;

    public int FixedSize => Kind switch
    {
        TypeKind.Bool or TypeKind.Int8 => 1,
        TypeKind.Int16 or TypeKind.UInt16 => 2,
        TypeKind.Int32 or TypeKind.UInt32 => 4,
        TypeKind.Int64 or TypeKind.Float64 => 8,
        TypeKind.Uuid => 16,
        _ => throw new InvalidOperationException($"{Kind} has no fixed size."),
    };

    public static FieldType Parse(string text)
    {
        if (text.StartsWith("[]", StringComparison.Ordinal))
        {
            var element = Parse(text[2..]);
            if (element.IsArray)
                throw new FormatException($"Arrays of arrays are not supported: {text}");
            return new FieldType(TypeKind.Array, Element: element);
        }
        return text switch
        {
            "bool" => new FieldType(TypeKind.Bool),
            "int8" => new FieldType(TypeKind.Int8),
            "int16" => new FieldType(TypeKind.Int16),
            "uint16" => new FieldType(TypeKind.UInt16),
            "int32" => new FieldType(TypeKind.Int32),
            "uint32" => new FieldType(TypeKind.UInt32),
            "int64" => new FieldType(TypeKind.Int64),
            "float64" => new FieldType(TypeKind.Float64),
            "uuid" => new FieldType(TypeKind.Uuid),
            "string" => new FieldType(TypeKind.String),
            "bytes" => new FieldType(TypeKind.Bytes),
            "records" => new FieldType(TypeKind.Records),
            _ when text.Length > 0 && char.IsUpper(text[0]) => new FieldType(TypeKind.Struct, StructName: text),
            _ => throw new FormatException($"Unknown field type '{text}'."),
        };
    }

    public override string ToString() => Kind switch
    {
        TypeKind.Array => "[]" + Element,
        TypeKind.Struct => StructName!,
        _ => Kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>One field of a message or struct, as the spec declares it.</summary>
internal sealed class FieldSpec
{
    public required string Name { get; init; }
    public required FieldType Type { get; init; }
    public required VersionRange Versions { get; init; }
    public VersionRange NullableVersions { get; init; } = VersionRange.None;
    public VersionRange TaggedVersions { get; init; } = VersionRange.None;
    public int? Tag { get; init; }
    public string? Default { get; init; }
    public bool Ignorable { get; init; }
    public VersionRange? FlexibleVersions { get; init; }
    public string? About { get; init; }
    public string? EntityType { get; init; }
    public bool MapKey { get; init; }

    /// <summary>Inline struct fields (when the type is a struct or array of structs declared here).</summary>
    public IReadOnlyList<FieldSpec>? Fields { get; init; }

    public bool IsTagged => Tag is not null;

    /// <summary>The struct type name when this field is a struct or an array of structs.</summary>
    public string? StructName => Type.IsStruct ? Type.StructName : Type.IsArray && Type.Element!.IsStruct ? Type.Element.StructName : null;
}

/// <summary>A struct: the message itself, an inline struct or a common struct.</summary>
internal sealed class StructSpec
{
    public required string Name { get; init; }
    public required VersionRange Versions { get; init; }
    public required IReadOnlyList<FieldSpec> Fields { get; init; }
    public bool IsCommon { get; init; }

    /// <summary>The C# class name (the spec name unless it collides with a member name).</summary>
    public string ClassName { get; set; } = "";
}

/// <summary>One JSON message spec file.</summary>
internal sealed class MessageSpec
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public short? ApiKey { get; init; }
    public required VersionRange ValidVersions { get; init; }
    public required VersionRange FlexibleVersions { get; init; }
    public bool LatestVersionUnstable { get; init; }
    public VersionRange DeprecatedVersions { get; init; } = VersionRange.None;
    public required IReadOnlyList<FieldSpec> Fields { get; init; }
    public IReadOnlyList<StructSpec> CommonStructs { get; init; } = [];

    /// <summary>Versions generated: valid versions without an unstable latest one.</summary>
    public VersionRange StableVersions { get; set; }

    public bool IsRequest => Type == "request";

    public bool IsResponse => Type == "response";

    /// <summary>The API name: the message name without Request/Response.</summary>
    public string ApiName => IsRequest && Name.EndsWith("Request", StringComparison.Ordinal) ? Name[..^7]
        : IsResponse && Name.EndsWith("Response", StringComparison.Ordinal) ? Name[..^8]
        : Name;

    /// <summary>First flexible version, or short.MaxValue when none.</summary>
    public short FlexibleFrom => FlexibleVersions.IsEmpty ? short.MaxValue : FlexibleVersions.Lowest;
}

/// <summary>One row of error-codes.tsv.</summary>
internal sealed record ErrorCodeSpec(short Code, string Name, bool Retriable);
