using System.Globalization;

namespace Samsa.Protocol.Generator;

/// <summary>
/// A Kafka spec version range: "0+", "1-3", "3" or "none". An open range has
/// <see cref="Highest"/> = <see cref="short.MaxValue"/>; an empty range has Lowest &gt; Highest.
/// </summary>
internal readonly record struct VersionRange(short Lowest, short Highest)
{
    public static readonly VersionRange None = new(1, 0);

    public static readonly VersionRange All = new(0, short.MaxValue);

    public bool IsEmpty => Lowest > Highest;

    public bool IsOpen => Highest == short.MaxValue;

    public bool Contains(int version) => version >= Lowest && version <= Highest;

    public bool Contains(VersionRange other) => other.IsEmpty || (Lowest <= other.Lowest && Highest >= other.Highest);

    public VersionRange Intersect(VersionRange other)
    {
        if (IsEmpty || other.IsEmpty)
            return None;
        var lo = Math.Max(Lowest, other.Lowest);
        var hi = Math.Min(Highest, other.Highest);
        return lo > hi ? None : new VersionRange((short)lo, (short)hi);
    }

    public static VersionRange Parse(string? text)
    {
        if (text is null)
            throw new FormatException("A version range is required.");
        var s = text.Trim();
        if (s.Length == 0)
            throw new FormatException("Empty version range.");
        if (s.Equals("none", StringComparison.OrdinalIgnoreCase))
            return None;
        if (s.EndsWith('+'))
            return new VersionRange(ParseVersion(s[..^1], text), short.MaxValue);
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            var lo = ParseVersion(s[..dash], text);
            var hi = ParseVersion(s[(dash + 1)..], text);
            if (hi < lo)
                throw new FormatException($"Version range '{text}' ends before it starts.");
            return new VersionRange(lo, hi);
        }
        var v = ParseVersion(s, text);
        return new VersionRange(v, v);
    }

    private static short ParseVersion(string s, string whole)
    {
        if (!short.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            throw new FormatException($"Invalid version '{s}' in range '{whole}'.");
        return v;
    }

    public override string ToString() => IsEmpty ? "none" : IsOpen ? $"{Lowest}+" : Lowest == Highest ? $"{Lowest}" : $"{Lowest}-{Highest}";
}
