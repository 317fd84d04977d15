using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>Field comparisons used by the generated MessageSamples.Compare methods.</summary>
internal static class SampleChecks
{
    public static void Value<T>(T expected, T actual, string path, List<string> diffs)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            diffs.Add($"{path}: expected {expected?.ToString() ?? "null"}, got {actual?.ToString() ?? "null"}");
    }

    public static void Bytes(byte[]? expected, byte[]? actual, string path, List<string> diffs)
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null)
                diffs.Add($"{path}: one side is null");
            return;
        }
        if (!expected.AsSpan().SequenceEqual(actual))
            diffs.Add($"{path}: bytes differ");
    }

    public static void Records(ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte>? actual, string path, List<string> diffs)
    {
        if (expected is not { } e || actual is not { } a)
        {
            if (expected.HasValue || actual.HasValue)
                diffs.Add($"{path}: one side is null");
            return;
        }
        if (!e.Span.SequenceEqual(a.Span))
            diffs.Add($"{path}: records differ");
    }

    public static bool Counts<T>(List<T>? expected, List<T>? actual, string path, List<string> diffs)
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null)
                diffs.Add($"{path}: one side is null");
            return false;
        }
        if (expected.Count != actual.Count)
        {
            diffs.Add($"{path}: expected {expected.Count} elements, got {actual.Count}");
            return false;
        }
        return true;
    }

    public static void List<T>(List<T>? expected, List<T>? actual, string path, List<string> diffs)
    {
        if (!Counts(expected, actual, path, diffs))
            return;
        for (var i = 0; i < expected!.Count; i++)
            Value(expected[i], actual![i], $"{path}[{i}]", diffs);
    }

    public static void Tagged(List<TaggedField>? expected, List<TaggedField>? actual, string path, List<string> diffs)
    {
        var e = expected ?? [];
        var a = actual ?? [];
        if (e.Count != a.Count)
        {
            diffs.Add($"{path}.UnknownTaggedFields: expected {e.Count}, got {a.Count}");
            return;
        }
        for (var i = 0; i < e.Count; i++)
        {
            if (e[i].Tag != a[i].Tag || !e[i].Data.AsSpan().SequenceEqual(a[i].Data))
                diffs.Add($"{path}.UnknownTaggedFields[{i}] differs");
        }
    }
}
