using System.Globalization;
using System.Text.Json;

namespace Samsa.Protocol.Generator;

/// <summary>Reads Kafka's message JSON (with // comments) and error-codes.tsv into the model.</summary>
internal static class SpecReader
{
    private static readonly JsonDocumentOptions s_options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static MessageSpec ParseMessage(string json, string source = "<json>")
    {
        try
        {
            using var doc = JsonDocument.Parse(json, s_options);
            var root = doc.RootElement;
            var name = RequiredString(root, "name");
            var commons = new List<StructSpec>();
            if (root.TryGetProperty("commonStructs", out var cs))
            {
                foreach (var s in cs.EnumerateArray())
                {
                    commons.Add(new StructSpec
                    {
                        Name = RequiredString(s, "name"),
                        Versions = VersionRange.Parse(RequiredString(s, "versions")),
                        Fields = ParseFields(s),
                        IsCommon = true,
                    });
                }
            }
            short? apiKey = root.TryGetProperty("apiKey", out var k) ? checked((short)ReadInt(k, "apiKey")) : null;
            var spec = new MessageSpec
            {
                Name = name,
                Type = RequiredString(root, "type"),
                ApiKey = apiKey,
                ValidVersions = VersionRange.Parse(RequiredString(root, "validVersions")),
                FlexibleVersions = root.TryGetProperty("flexibleVersions", out var fv) ? VersionRange.Parse(fv.GetString()) : VersionRange.None,
                LatestVersionUnstable = root.TryGetProperty("latestVersionUnstable", out var lu) && lu.GetBoolean(),
                DeprecatedVersions = root.TryGetProperty("deprecatedVersions", out var dv) ? VersionRange.Parse(dv.GetString()) : VersionRange.None,
                Fields = ParseFields(root),
                CommonStructs = commons,
            };
            spec.StableVersions = StableOf(spec);
            return spec;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>Valid versions minus the latest one when the spec marks it unstable.</summary>
    public static VersionRange StableOf(MessageSpec spec)
    {
        var valid = spec.ValidVersions;
        if (!spec.LatestVersionUnstable || valid.IsEmpty)
            return valid;
        return valid.Highest == valid.Lowest ? VersionRange.None : new VersionRange(valid.Lowest, (short)(valid.Highest - 1));
    }

    private static List<FieldSpec> ParseFields(JsonElement owner)
    {
        var list = new List<FieldSpec>();
        if (!owner.TryGetProperty("fields", out var fields))
            return list;
        foreach (var f in fields.EnumerateArray())
        {
            var name = RequiredString(f, "name");
            var versions = VersionRange.Parse(RequiredString(f, "versions"));
            int? tag = f.TryGetProperty("tag", out var t) ? ReadInt(t, "tag") : null;
            var tagged = f.TryGetProperty("taggedVersions", out var tv) ? VersionRange.Parse(tv.GetString()) : VersionRange.None;
            if (tag is not null && tagged.IsEmpty)
                throw new FormatException($"Field {name} has a tag but no taggedVersions.");
            if (tag is null && !tagged.IsEmpty)
                throw new FormatException($"Field {name} has taggedVersions but no tag.");
            if (tag is not null && tagged != versions)
                throw new FormatException($"Tagged field {name} must have versions equal to its taggedVersions.");
            string? def = null;
            if (f.TryGetProperty("default", out var d))
            {
                def = d.ValueKind switch
                {
                    JsonValueKind.String => d.GetString(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Number => d.GetRawText(),
                    JsonValueKind.Null => "null",
                    _ => throw new FormatException($"Field {name} has an unsupported default {d.GetRawText()}."),
                };
            }
            list.Add(new FieldSpec
            {
                Name = name,
                Type = FieldType.Parse(RequiredString(f, "type")),
                Versions = versions,
                NullableVersions = f.TryGetProperty("nullableVersions", out var nv) ? VersionRange.Parse(nv.GetString()) : VersionRange.None,
                TaggedVersions = tagged,
                Tag = tag,
                Default = def,
                Ignorable = f.TryGetProperty("ignorable", out var ig) && ig.GetBoolean(),
                FlexibleVersions = f.TryGetProperty("flexibleVersions", out var ff) ? VersionRange.Parse(ff.GetString()) : null,
                About = f.TryGetProperty("about", out var a) ? a.GetString() : null,
                EntityType = f.TryGetProperty("entityType", out var et) ? et.GetString() : null,
                MapKey = f.TryGetProperty("mapKey", out var mk) && mk.GetBoolean(),
                Fields = f.TryGetProperty("fields", out _) ? ParseFields(f) : null,
            });
        }
        return list;
    }

    /// <summary>Kafka's specs write some numbers as strings ("tag": "0").</summary>
    private static int ReadInt(JsonElement e, string what)
    {
        if (e.ValueKind == JsonValueKind.Number)
            return e.GetInt32();
        if (e.ValueKind == JsonValueKind.String && int.TryParse(e.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            return v;
        throw new FormatException($"Invalid {what} {e.GetRawText()}.");
    }

    private static string RequiredString(JsonElement e, string property)
    {
        if (!e.TryGetProperty(property, out var p) || p.ValueKind != JsonValueKind.String)
            throw new FormatException($"Missing string property '{property}'.");
        return p.GetString()!;
    }

    public static List<ErrorCodeSpec> ParseErrorCodes(string tsv)
    {
        var result = new List<ErrorCodeSpec>();
        var lines = tsv.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || (i == 0 && line.StartsWith("code", StringComparison.Ordinal)))
                continue;
            var cols = line.Split('\t');
            if (cols.Length < 3)
                throw new FormatException($"error-codes.tsv line {i + 1}: expected code, name, retriable.");
            result.Add(new ErrorCodeSpec(
                short.Parse(cols[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                cols[1].Trim(),
                bool.Parse(cols[2].Trim())));
        }
        result.Sort((a, b) => a.Code.CompareTo(b.Code));
        return result;
    }
}
