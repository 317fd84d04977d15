using System.Globalization;
using static Samsa.Protocol.Generator.CSharpTypes;

namespace Samsa.Protocol.Generator;

/// <summary>
/// Emits the test-support file: for every message and version a fully populated instance (every
/// field present at that version holds a non-default value, flexible structs carry an unknown tagged
/// field), plus a deep comparison of two instances. The round-trip tests are built on it.
/// </summary>
internal static class SampleEmitter
{
    /// <summary>A tag above every known tag, used for the unknown tagged field in samples.</summary>
    public const int UnknownTag = 90;

    public static string Generate(IReadOnlyList<MessageModel> models)
    {
        var w = new CodeWriter();
        w.Line("using Samsa.Protocol.Messages;");
        w.Line("using Samsa.Protocol.Primitives;");
        w.Line("using Samsa.Protocol.Tests.Messages;");
        w.Line();
        w.Line("namespace Samsa.Protocol.Tests.Generated;");
        w.Line();
        w.Summary("Populated sample messages for every (message, version) and a deep comparison of messages.");
        w.Open("internal static partial class MessageSamples");
        w.Summary("Every generated message with its version range.");
        w.Line("public static readonly (string Name, short Lowest, short Highest)[] Messages =");
        w.Line("[");
        w.Indent();
        foreach (var m in models)
            w.Line($"({CodeWriter.Literal(m.ClassName)}, {m.Versions.Lowest}, {m.Versions.Highest}),");
        w.Outdent();
        w.Line("];");
        w.Line();
        w.Summary("Creates the populated sample of a message at a version.");
        w.Open("public static IKafkaMessage Create(string name, short version)");
        w.Open("switch (name)");
        foreach (var m in models)
            w.Line($"case {CodeWriter.Literal(m.ClassName)}: return {CreateName(m.Top)}(version);");
        w.Line("default: throw new ArgumentOutOfRangeException(nameof(name), name, null);");
        w.Close();
        w.Close();
        w.Line();
        w.Summary("Reads a message by name.");
        w.Open("public static IKafkaMessage Read(string name, ref KafkaReader reader, short version)");
        w.Open("switch (name)");
        foreach (var m in models)
            w.Line($"case {CodeWriter.Literal(m.ClassName)}: return {m.ClassName}.Read(ref reader, version);");
        w.Line("default: throw new ArgumentOutOfRangeException(nameof(name), name, null);");
        w.Close();
        w.Close();
        w.Line();
        w.Summary("Creates an instance with every field at its default.");
        w.Open("public static IKafkaMessage CreateDefault(string name)");
        w.Open("switch (name)");
        foreach (var m in models)
            w.Line($"case {CodeWriter.Literal(m.ClassName)}: return new {m.ClassName}();");
        w.Line("default: throw new ArgumentOutOfRangeException(nameof(name), name, null);");
        w.Close();
        w.Close();
        w.Line();
        w.Summary("Compares two messages of the same type field by field; differences go to <paramref name=\"diffs\"/>.");
        w.Open("public static void Compare(IKafkaMessage expected, IKafkaMessage actual, List<string> diffs)");
        w.Open("switch (expected)");
        foreach (var m in models)
        {
            w.Line($"case {m.ClassName} e:");
            w.Indent();
            w.Line($"Compare(e, actual as {m.ClassName}, {CodeWriter.Literal(m.ClassName)}, diffs);");
            w.Line("break;");
            w.Outdent();
        }
        w.Line("default: throw new ArgumentOutOfRangeException(nameof(expected), expected.GetType().Name, null);");
        w.Close();
        w.Close();
        var counter = 0;
        foreach (var m in models)
        {
            foreach (var c in m.Classes)
            {
                w.Line();
                EmitCreate(w, c, ref counter);
                w.Line();
                EmitCompare(w, c);
            }
        }
        w.Close();
        return TableEmitter.Header + w;
    }

    private static string CreateName(ClassModel c) => "Create" + c.FullName.Replace(".", "_", StringComparison.Ordinal);

    private static void EmitCreate(CodeWriter w, ClassModel c, ref int counter)
    {
        var m = c.Message;
        var body = new CodeWriter();
        body.Line($"var obj = new {c.FullName}();");
        foreach (var f in c.Fields)
        {
            counter++;
            var cond = Condition(f.Versions, c.Context);
            if (cond == "false")
                continue;
            var value = SampleValue(f, c, counter);
            if (cond is null)
            {
                body.Line($"obj.{f.Name} = {value};");
            }
            else
            {
                body.Open($"if ({cond})");
                body.Line($"obj.{f.Name} = {value};");
                body.Close();
            }
        }
        if (!m.Spec.FlexibleVersions.Intersect(c.Context).IsEmpty)
        {
            body.Open("if (flexible)");
            body.Line($"obj.UnknownTaggedFields = [new TaggedField({UnknownTag}, [0x5A, (byte)version])];");
            body.Close();
        }
        body.Line("return obj;");
        w.Open($"public static {c.FullName} {CreateName(c)}(short version)");
        if (body.ToString().Contains("flexible", StringComparison.Ordinal))
            w.Line("var flexible = " + (Condition(m.Spec.FlexibleVersions, c.Context) ?? "true") + ";");
        w.Append(body);
        w.Close();
    }

    private static string SampleValue(FieldSpec f, ClassModel c, int n)
    {
        var m = c.Message;
        var t = f.Type;
        // Strings and bytes that may be null at some versions are null at odd versions there, so the
        // null encodings are covered too.
        string? nullCond = null;
        if (t.Kind is TypeKind.String or TypeKind.Bytes && !NullableIn(f).IsEmpty)
        {
            var present = f.Versions.Intersect(c.Context);
            var nc = NullableIn(f).Intersect(present).IsEmpty ? "false" : Condition(NullableIn(f), present) ?? "true";
            if (nc != "false")
                nullCond = nc == "true" ? "version % 2 == 1" : $"version % 2 == 1 && {nc}";
        }
        var value = t.Kind switch
        {
            TypeKind.Array => ArrayValue(f, c, n),
            TypeKind.Struct => $"{CreateName(m.StructOf(f))}(version)",
            _ => ScalarValue(t, f, n),
        };
        if (nullCond is not null && (f.Default == "null"))
        {
            // Null is the default here, so a null sample would not be a non-default value: keep it set.
            nullCond = null;
        }
        return nullCond is null ? value : $"{nullCond} ? null : {value}";
    }

    private static string ArrayValue(FieldSpec f, ClassModel c, int n)
    {
        var e = f.Type.Element!;
        if (e.IsStruct)
        {
            var create = CreateName(c.Message.StructOf(new FieldSpec { Name = "?", Type = e, Versions = VersionRange.All }));
            return $"[{create}(version), {create}(version)]";
        }
        return $"[{ScalarValue(e, null, n)}, {ScalarValue(e, null, n + 1)}, {ScalarValue(e, null, n + 2)}]";
    }

    private static string ScalarValue(FieldType t, FieldSpec? f, int n)
    {
        var inv = CultureInfo.InvariantCulture;
        long? def = null;
        if (f is not null && t.Kind is TypeKind.Int8 or TypeKind.Int16 or TypeKind.UInt16 or TypeKind.Int32 or TypeKind.UInt32 or TypeKind.Int64)
            def = long.Parse(IntegerLiteral(f).TrimEnd('L'), inv);
        long Pick(long v) => def == v ? v + 1 : v;
        switch (t.Kind)
        {
            case TypeKind.Bool:
                var d = f?.Default is { } b && b.Equals("true", StringComparison.OrdinalIgnoreCase);
                return d ? "false" : "true";
            case TypeKind.Int8:
                return $"(sbyte){Pick(n % 100 + 1).ToString(inv)}";
            case TypeKind.Int16:
                return $"(short){Pick(n % 20000 + 100).ToString(inv)}";
            case TypeKind.UInt16:
                return $"(ushort){Pick(n % 20000 + 40000).ToString(inv)}";
            case TypeKind.Int32:
                return Pick(n + 100000).ToString(inv);
            case TypeKind.UInt32:
                return Pick(n + 3000000000L).ToString(inv) + "u";
            case TypeKind.Int64:
                return Pick(n + 5000000000000L).ToString(inv) + "L";
            case TypeKind.Float64:
                return (n + 0.25).ToString("R", inv) + "d";
            case TypeKind.Uuid:
                return $"new Guid({n.ToString(inv)}, 0x1234, 0x5678, 1, 2, 3, 4, 5, 6, 7, 8)";
            case TypeKind.String:
                return CodeWriter.Literal((f?.Name ?? "s") + "-" + n.ToString(inv));
            case TypeKind.Bytes:
                return $"new byte[] {{ {(n % 256).ToString(inv)}, 1, 2, 3 }}";
            case TypeKind.Records:
                return $"new ReadOnlyMemory<byte>(new byte[] {{ 9, 8, 7, {(n % 256).ToString(inv)} }})";
            default:
                throw new InvalidOperationException(t.ToString());
        }
    }

    private static void EmitCompare(CodeWriter w, ClassModel c)
    {
        var m = c.Message;
        w.Open($"public static void Compare({c.FullName}? e, {c.FullName}? a, string path, List<string> diffs)");
        w.Open("if (e is null || a is null)");
        w.Open("if (e is not null || a is not null)");
        w.Line("diffs.Add(path + \": one side is null\");");
        w.Close();
        w.Line("return;");
        w.Close();
        foreach (var f in c.Fields)
        {
            var p = $"path + \".{f.Name}\"";
            switch (f.Type.Kind)
            {
                case TypeKind.Bytes:
                    w.Line($"SampleChecks.Bytes(e.{f.Name}, a.{f.Name}, {p}, diffs);");
                    break;
                case TypeKind.Records:
                    w.Line($"SampleChecks.Records(e.{f.Name}, a.{f.Name}, {p}, diffs);");
                    break;
                case TypeKind.Struct:
                    w.Line($"Compare(e.{f.Name}, a.{f.Name}, {p}, diffs);");
                    break;
                case TypeKind.Array when f.Type.Element!.IsStruct:
                    w.Open($"if (SampleChecks.Counts(e.{f.Name}, a.{f.Name}, {p}, diffs))");
                    w.Open($"for (var i = 0; i < e.{f.Name}!.Count; i++)");
                    w.Line($"Compare(e.{f.Name}[i], a.{f.Name}![i], {p} + \"[\" + i + \"]\", diffs);");
                    w.Close();
                    w.Close();
                    break;
                case TypeKind.Array:
                    w.Line($"SampleChecks.List(e.{f.Name}, a.{f.Name}, {p}, diffs);");
                    break;
                default:
                    w.Line($"SampleChecks.Value(e.{f.Name}, a.{f.Name}, {p}, diffs);");
                    break;
            }
        }
        w.Line("SampleChecks.Tagged(e.UnknownTaggedFields, a.UnknownTaggedFields, path, diffs);");
        w.Close();
        _ = m;
    }
}
