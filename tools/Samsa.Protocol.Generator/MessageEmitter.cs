using static Samsa.Protocol.Generator.CSharpTypes;

namespace Samsa.Protocol.Generator;

/// <summary>Emits the C# class of a message and its nested struct classes.</summary>
internal sealed class MessageEmitter
{
    private readonly MessageModel _m;
    private readonly string? _partnerResponse;

    public MessageEmitter(MessageModel model, string? partnerResponse)
    {
        _m = model;
        _partnerResponse = partnerResponse;
    }

    public void Emit(CodeWriter w)
    {
        var spec = _m.Spec;
        var top = _m.Top;
        var versions = _m.Versions;
        var summary = spec.ApiKey is { } key
            ? $"{spec.Name} (API key {key}), versions {versions}" + (spec.FlexibleVersions.IsEmpty ? "." : $", flexible from {spec.FlexibleFrom}.")
            : $"{spec.Name}, versions {versions}" + (spec.FlexibleVersions.IsEmpty ? "." : $", flexible from {spec.FlexibleFrom}.");
        w.Summary(summary);
        string iface;
        if (spec.IsRequest)
            iface = $"IKafkaRequest<{top.ClassName}, {_partnerResponse}>";
        else if (spec.IsResponse)
            iface = $"IKafkaResponse<{top.ClassName}>";
        else
            iface = $"IKafkaReadable<{top.ClassName}>";
        w.Open($"public sealed partial class {top.ClassName} : {iface}");
        if (spec.ApiKey is not null)
        {
            var apiName = ApiKeyName(spec);
            w.Line($"static global::Samsa.Protocol.ApiKey {iface}.Key => global::Samsa.Protocol.ApiKey.{apiName};");
            w.Line();
            w.Line("/// <inheritdoc />");
            w.Line($"public global::Samsa.Protocol.ApiKey ApiKey => global::Samsa.Protocol.ApiKey.{apiName};");
            w.Line();
        }
        w.Summary("Lowest supported version.");
        w.Line($"public static short LowestVersion => {versions.Lowest};");
        w.Line();
        w.Summary("Highest supported version.");
        w.Line($"public static short HighestVersion => {versions.Highest};");
        w.Line();
        w.Summary("First flexible version, or short.MaxValue when no version is flexible.");
        w.Line($"public static short FlexibleFrom => {spec.FlexibleFrom};");
        w.Line();
        EmitBody(w, top);
        foreach (var c in _m.Classes)
        {
            if (c.IsTop)
                continue;
            w.Line();
            w.Summary(c.ClassName == c.SpecName ? $"The {c.SpecName} struct." : $"The {c.SpecName} struct (renamed to avoid a member name clash).");
            w.Open($"public sealed partial class {c.ClassName} : IKafkaMessage");
            EmitBody(w, c);
            w.Close();
        }
        w.Close();
    }

    public static string ApiKeyName(MessageSpec spec) => spec.ApiName;

    private void EmitBody(CodeWriter w, ClassModel c)
    {
        foreach (var f in c.Fields)
        {
            w.Summary(f.About ?? f.Name);
            var init = DefaultExpression(f, _m);
            var type = PropertyType(f, _m);
            var initText = init is "0" or "0L" or "false" or "null" && !f.Type.IsStruct && !f.Type.IsArray && f.Type.Kind != TypeKind.Records ? "" : $" = {init};";
            if (init == "null")
                initText = "";
            if (IsLazyStruct(f))
            {
                // Created on first use: reading a message whose tagged struct is absent (most Fetch and
                // Produce partitions) then allocates nothing for it.
                w.Line($"public {type} {f.Name} {{ get => {BackingField(f)} ??= new(); set => {BackingField(f)} = value; }}");
                w.Line();
                w.Line($"private {type}? {BackingField(f)};");
            }
            else
            {
                w.Line($"public {type} {f.Name} {{ get; set; }}{initText}");
            }
            w.Line();
        }
        w.Line("/// <inheritdoc />");
        w.Line("public List<TaggedField>? UnknownTaggedFields { get; set; }");
        w.Line();
        EmitWrite(w, c);
        w.Line();
        EmitComputeSize(w, c);
        w.Line();
        EmitRead(w, c);
        if (c.NeedsDefaultCheck)
        {
            w.Line();
            EmitHasDefaultValues(w, c);
        }
    }

    /// <summary>Non-nullable struct fields are created lazily behind a backing field.</summary>
    private static bool IsLazyStruct(FieldSpec f) => f.Type.IsStruct && !IsNullableProperty(f);

    private static string BackingField(FieldSpec f) => "_" + char.ToLowerInvariant(f.Name[0]) + f.Name[1..];

    /// <summary>The expression default checks read: the backing field for lazy structs, so checking allocates nothing.</summary>
    private static string DefaultCheckAccess(FieldSpec f) => IsLazyStruct(f) ? BackingField(f) : f.Name;

    private string FlexibleDeclaration(ClassModel c)
    {
        var cond = Condition(_m.Spec.FlexibleVersions, c.Context);
        return "var flexible = " + (cond ?? "true") + ";";
    }

    private string FlexExpr(FieldSpec f, ClassModel c)
    {
        if (f.FlexibleVersions is { } o)
            return Condition(o.Intersect(_m.Spec.FlexibleVersions), f.Versions.Intersect(c.Context)) ?? "true";
        return "flexible";
    }

    /// <summary>"true" when always nullable where present, "false" when never, else a condition.</summary>
    private static string NullableCond(FieldSpec f, ClassModel c)
    {
        var present = f.Versions.Intersect(c.Context);
        var nullable = NullableIn(f);
        if (nullable.IsEmpty || nullable.Intersect(present).IsEmpty)
            return "false";
        return Condition(nullable, present) ?? "true";
    }

    private static string Q(string s) => CodeWriter.Literal(s);

    private static bool HasTagged(ClassModel c)
    {
        foreach (var f in c.Fields)
        {
            if (f.IsTagged)
                return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- Write

    private void EmitWrite(CodeWriter w, ClassModel c)
    {
        var body = new CodeWriter();
        var flexibleMessage = !_m.Spec.FlexibleVersions.Intersect(c.Context).IsEmpty;
        foreach (var f in c.Fields)
        {
            if (f.IsTagged)
                continue;
            var cond = Condition(f.Versions, c.Context);
            if (cond == "false")
            {
                if (!f.Ignorable)
                {
                    body.Open($"if ({NonDefaultCondition(f, DefaultCheckAccess(f))})");
                    body.Line($"throw ProtocolErrors.FieldNotSupported({Q(c.ErrorName)}, {Q(f.Name)}, version);");
                    body.Close();
                }
                continue;
            }
            if (cond is null)
            {
                EmitWriteValue(body, f, c);
                continue;
            }
            body.Open($"if ({cond})");
            EmitWriteValue(body, f, c);
            body.Close();
            if (!f.Ignorable)
            {
                body.Open($"else if ({NonDefaultCondition(f, DefaultCheckAccess(f))})");
                body.Line($"throw ProtocolErrors.FieldNotSupported({Q(c.ErrorName)}, {Q(f.Name)}, version);");
                body.Close();
            }
        }
        // Tagged fields missing from this version.
        foreach (var f in c.Fields)
        {
            if (!f.IsTagged || f.Ignorable)
                continue;
            var cond = Condition(f.Versions, c.Context);
            if (cond is null)
                continue;
            body.Open(cond == "false" ? $"if ({NonDefaultCondition(f, DefaultCheckAccess(f))})" : $"if (!({cond}) && {NonDefaultCondition(f, DefaultCheckAccess(f))})");
            body.Line($"throw ProtocolErrors.FieldNotSupported({Q(c.ErrorName)}, {Q(f.Name)}, version);");
            body.Close();
        }
        if (flexibleMessage)
        {
            body.Open("if (flexible)");
            body.Line("var taggedCount = UnknownTaggedFields?.Count ?? 0;");
            var known = new List<(FieldSpec F, string Cond)>();
            var taggedContext = c.Context.Intersect(_m.Spec.FlexibleVersions);
            foreach (var f in c.Fields)
            {
                if (!f.IsTagged)
                    continue;
                var cond = Condition(f.Versions, taggedContext);
                if (cond == "false")
                    continue;
                var full = cond is null ? NonDefaultCondition(f, DefaultCheckAccess(f)) : $"{cond} && {NonDefaultCondition(f, DefaultCheckAccess(f))}";
                known.Add((f, full));
            }
            known.Sort((a, b) => a.F.Tag!.Value.CompareTo(b.F.Tag!.Value));
            foreach (var (f, cond) in known)
            {
                body.Open($"if ({cond})");
                body.Line("taggedCount++;");
                body.Close();
            }
            body.Line("writer.WriteUnsignedVarInt((uint)taggedCount);");
            if (known.Count == 0)
            {
                body.Line("RawTaggedFields.WriteAll(ref writer, UnknownTaggedFields);");
            }
            else
            {
                body.Line("var unknownIndex = 0;");
                foreach (var (f, cond) in known)
                {
                    body.Open($"if ({cond})");
                    body.Line($"RawTaggedFields.WriteBelow(ref writer, UnknownTaggedFields, ref unknownIndex, {f.Tag});");
                    body.Line("var tagSize = 0;");
                    EmitSizeValue(body, f, c, "tagSize");
                    body.Line($"writer.WriteTagHeader({f.Tag}, tagSize);");
                    EmitWriteValue(body, f, c);
                    body.Close();
                }
                body.Line("RawTaggedFields.WriteBelow(ref writer, UnknownTaggedFields, ref unknownIndex, int.MaxValue);");
            }
            body.Close();
        }

        w.Line("/// <inheritdoc />");
        w.Open("public void Write(ref KafkaWriter writer, short version)");
        if (c.IsTop)
        {
            w.Open($"if (version < {_m.Versions.Lowest} || version > {_m.Versions.Highest})");
            w.Line($"throw ProtocolErrors.UnsupportedVersion({Q(c.ErrorName)}, version, {_m.Versions.Lowest}, {_m.Versions.Highest});");
            w.Close();
        }
        var text = body.ToString();
        if (text.Contains("flexible", StringComparison.Ordinal))
            w.Line(FlexibleDeclaration(c));
        w.Append(body);
        w.Close();
    }

    private void EmitWriteValue(CodeWriter w, FieldSpec f, ClassModel c)
    {
        var fx = FlexExpr(f, c);
        var nc = NullableCond(f, c);
        var name = f.Name;
        var nullThrow = $"throw ProtocolErrors.NullValue({Q(c.ErrorName)}, {Q(name)}, version);";
        var nullableProp = IsNullableProperty(f);
        switch (f.Type.Kind)
        {
            case TypeKind.String:
            case TypeKind.Bytes:
            {
                var kind = f.Type.Kind == TypeKind.String ? "String" : "Bytes";
                if (!nullableProp)
                {
                    w.Line($"writer.Write{kind}({name}, {fx});");
                }
                else if (nc == "true")
                {
                    w.Line($"writer.WriteNullable{kind}({name}, {fx});");
                }
                else
                {
                    w.Open(nc == "false" ? $"if ({name} is null)" : $"if ({name} is null && !({nc}))");
                    w.Line(nullThrow);
                    w.Close();
                    w.Line($"writer.WriteNullable{kind}({name}, {fx});");
                }
                break;
            }
            case TypeKind.Records:
                if (nc != "true")
                {
                    w.Open(nc == "false" ? $"if ({name} is null)" : $"if ({name} is null && !({nc}))");
                    w.Line(nullThrow);
                    w.Close();
                }
                w.Line($"writer.WriteNullableRecords({name}, {fx});");
                break;
            case TypeKind.Array:
            {
                w.Open();
                w.Line($"var list = {name};");
                if (nullableProp)
                {
                    w.Open("if (list is null)");
                    if (nc != "true")
                    {
                        if (nc == "false")
                        {
                            w.Line(nullThrow);
                        }
                        else
                        {
                            w.Open($"if (!({nc}))");
                            w.Line(nullThrow);
                            w.Close();
                        }
                    }
                    if (nc != "false")
                        w.Line($"writer.WriteArrayLength(-1, {fx});");
                    w.Close();
                    w.Open("else");
                }
                w.Line($"writer.WriteArrayLength(list.Count, {fx});");
                w.Open("for (var i = 0; i < list.Count; i++)");
                w.Line(WriteElement(f.Type.Element!, "list[i]", fx));
                w.Close();
                if (nullableProp)
                    w.Close();
                w.Close();
                break;
            }
            case TypeKind.Struct:
                if (nullableProp && nc != "false")
                {
                    var markerCond = nc == "true" ? "" : $"{nc} && ";
                    if (nc != "true")
                    {
                        w.Open($"if ({markerCond.TrimEnd(' ', '&')})");
                    }
                    w.Open($"if ({name} is null)");
                    w.Line("writer.WriteInt8(-1);");
                    w.Close();
                    w.Open("else");
                    w.Line("writer.WriteInt8(1);");
                    w.Line($"{name}.Write(ref writer, version);");
                    w.Close();
                    if (nc != "true")
                    {
                        w.Close();
                        w.Open("else");
                        w.Line($"({name} ?? {nullThrow[..^1]}).Write(ref writer, version);");
                        w.Close();
                    }
                }
                else if (nullableProp)
                {
                    w.Line($"({name} ?? {nullThrow[..^1]}).Write(ref writer, version);");
                }
                else
                {
                    w.Line($"{name}.Write(ref writer, version);");
                }
                break;
            default:
                w.Line(WriteElement(f.Type, name, fx));
                break;
        }
    }

    private static string WriteElement(FieldType t, string access, string fx) => t.Kind switch
    {
        TypeKind.Bool => $"writer.WriteBool({access});",
        TypeKind.Int8 => $"writer.WriteInt8({access});",
        TypeKind.Int16 => $"writer.WriteInt16({access});",
        TypeKind.UInt16 => $"writer.WriteUInt16({access});",
        TypeKind.Int32 => $"writer.WriteInt32({access});",
        TypeKind.UInt32 => $"writer.WriteUInt32({access});",
        TypeKind.Int64 => $"writer.WriteInt64({access});",
        TypeKind.Float64 => $"writer.WriteFloat64({access});",
        TypeKind.Uuid => $"writer.WriteUuid({access});",
        TypeKind.String => $"writer.WriteString({access}, {fx});",
        TypeKind.Bytes => $"writer.WriteBytes({access}, {fx});",
        TypeKind.Struct => $"{access}.Write(ref writer, version);",
        _ => throw new InvalidOperationException($"Unsupported element type {t}."),
    };

    // ---------------------------------------------------------------- Size

    private void EmitComputeSize(CodeWriter w, ClassModel c)
    {
        var body = new CodeWriter();
        body.Line("var size = 0;");
        var flexibleMessage = !_m.Spec.FlexibleVersions.Intersect(c.Context).IsEmpty;
        foreach (var f in c.Fields)
        {
            if (f.IsTagged)
                continue;
            var cond = Condition(f.Versions, c.Context);
            if (cond == "false")
                continue;
            if (cond is null)
            {
                EmitSizeValue(body, f, c, "size");
                continue;
            }
            body.Open($"if ({cond})");
            EmitSizeValue(body, f, c, "size");
            body.Close();
        }
        if (flexibleMessage)
        {
            body.Open("if (flexible)");
            body.Line("var taggedCount = UnknownTaggedFields?.Count ?? 0;");
            body.Line("size += RawTaggedFields.SizeOf(UnknownTaggedFields);");
            var taggedContext = c.Context.Intersect(_m.Spec.FlexibleVersions);
            foreach (var f in c.Fields)
            {
                if (!f.IsTagged)
                    continue;
                var cond = Condition(f.Versions, taggedContext);
                if (cond == "false")
                    continue;
                var full = cond is null ? NonDefaultCondition(f, DefaultCheckAccess(f)) : $"{cond} && {NonDefaultCondition(f, DefaultCheckAccess(f))}";
                body.Open($"if ({full})");
                body.Line("taggedCount++;");
                body.Line("var tagSize = 0;");
                EmitSizeValue(body, f, c, "tagSize");
                body.Line($"size += KafkaWriter.SizeOfUnsignedVarInt({f.Tag}) + KafkaWriter.SizeOfUnsignedVarInt((uint)tagSize) + tagSize;");
                body.Close();
            }
            body.Line("size += KafkaWriter.SizeOfUnsignedVarInt((uint)taggedCount);");
            body.Close();
        }
        body.Line("return size;");
        w.Line("/// <inheritdoc />");
        w.Open("public int ComputeSize(short version)");
        if (body.ToString().Contains("flexible", StringComparison.Ordinal))
            w.Line(FlexibleDeclaration(c));
        w.Append(body);
        w.Close();
    }

    private void EmitSizeValue(CodeWriter w, FieldSpec f, ClassModel c, string target)
    {
        var fx = FlexExpr(f, c);
        var nc = NullableCond(f, c);
        var name = f.Name;
        var nullableProp = IsNullableProperty(f);
        switch (f.Type.Kind)
        {
            case TypeKind.String:
                w.Line($"{target} += KafkaWriter.SizeOfString({name}, {fx});");
                break;
            case TypeKind.Bytes:
                w.Line(nullableProp
                    ? $"{target} += KafkaWriter.SizeOfBytes({name}?.Length ?? -1, {fx});"
                    : $"{target} += KafkaWriter.SizeOfBytes({name}.Length, {fx});");
                break;
            case TypeKind.Records:
                w.Line($"{target} += KafkaWriter.SizeOfBytes({name}?.Length ?? -1, {fx});");
                break;
            case TypeKind.Array:
            {
                w.Open();
                w.Line($"var list = {name};");
                if (nullableProp)
                {
                    w.Open("if (list is null)");
                    w.Line($"{target} += KafkaWriter.SizeOfArrayLength(-1, {fx});");
                    w.Close();
                    w.Open("else");
                }
                w.Line($"{target} += KafkaWriter.SizeOfArrayLength(list.Count, {fx});");
                var e = f.Type.Element!;
                if (e.IsFixed)
                {
                    w.Line($"{target} += list.Count * {e.FixedSize};");
                }
                else
                {
                    w.Open("for (var i = 0; i < list.Count; i++)");
                    w.Line(e.Kind switch
                    {
                        TypeKind.String => $"{target} += KafkaWriter.SizeOfString(list[i], {fx});",
                        TypeKind.Bytes => $"{target} += KafkaWriter.SizeOfBytes(list[i].Length, {fx});",
                        TypeKind.Struct => $"{target} += list[i].ComputeSize(version);",
                        _ => throw new InvalidOperationException($"Unsupported element type {e}."),
                    });
                    w.Close();
                }
                if (nullableProp)
                    w.Close();
                w.Close();
                break;
            }
            case TypeKind.Struct:
                if (nullableProp && nc != "false")
                {
                    if (nc == "true")
                    {
                        w.Line($"{target} += 1;");
                    }
                    else
                    {
                        w.Open($"if ({nc})");
                        w.Line($"{target} += 1;");
                        w.Close();
                    }
                    w.Open($"if ({name} is not null)");
                    w.Line($"{target} += {name}.ComputeSize(version);");
                    w.Close();
                }
                else if (nullableProp)
                {
                    w.Line($"{target} += {name}?.ComputeSize(version) ?? 0;");
                }
                else
                {
                    w.Line($"{target} += {name}.ComputeSize(version);");
                }
                break;
            default:
                w.Line($"{target} += {f.Type.FixedSize};");
                break;
        }
    }

    // ---------------------------------------------------------------- Read

    private void EmitRead(CodeWriter w, ClassModel c)
    {
        var body = new CodeWriter();
        body.Line($"var obj = new {c.ClassName}();");
        var flexibleMessage = !_m.Spec.FlexibleVersions.Intersect(c.Context).IsEmpty;
        foreach (var f in c.Fields)
        {
            if (f.IsTagged)
                continue;
            var cond = Condition(f.Versions, c.Context);
            if (cond == "false")
                continue;
            if (cond is null)
            {
                EmitReadValue(body, f, c, "reader");
                continue;
            }
            body.Open($"if ({cond})");
            EmitReadValue(body, f, c, "reader");
            body.Close();
        }
        if (flexibleMessage)
        {
            body.Open("if (flexible)");
            body.Line("var taggedCount = reader.ReadUnsignedVarInt();");
            body.Open("for (uint t = 0; t < taggedCount; t++)");
            body.Line("var (tag, tagSize) = reader.ReadTagHeader();");
            var known = new List<FieldSpec>();
            var taggedContext = c.Context.Intersect(_m.Spec.FlexibleVersions);
            foreach (var f in c.Fields)
            {
                if (f.IsTagged && Condition(f.Versions, taggedContext) != "false")
                    known.Add(f);
            }
            known.Sort((a, b) => a.Tag!.Value.CompareTo(b.Tag!.Value));
            if (known.Count == 0)
            {
                body.Line("(obj.UnknownTaggedFields ??= new()).Add(new TaggedField(tag, reader.ReadRaw(tagSize).ToArray()));");
            }
            else
            {
                body.Open("switch (tag)");
                foreach (var f in known)
                {
                    var cond = Condition(f.Versions, taggedContext);
                    body.Line(cond is null ? $"case {f.Tag}:" : $"case {f.Tag} when {cond}:");
                    body.Open();
                    body.Line("var tagReader = reader.Slice(tagSize);");
                    EmitReadValue(body, f, c, "tagReader");
                    body.Line($"tagReader.EnsureConsumed({Q(c.ErrorName + "." + f.Name)});");
                    body.Line("break;");
                    body.Close();
                }
                body.Line("default:");
                body.Indent();
                body.Line("(obj.UnknownTaggedFields ??= new()).Add(new TaggedField(tag, reader.ReadRaw(tagSize).ToArray()));");
                body.Line("break;");
                body.Outdent();
                body.Close();
            }
            body.Close();
            body.Close();
        }
        body.Line("return obj;");
        w.SummaryXml($"Reads a {c.ClassName} at <paramref name=\"version\"/>.");
        w.Open($"public static {c.ClassName} Read(ref KafkaReader reader, short version)");
        if (c.IsTop)
        {
            w.Open($"if (version < {_m.Versions.Lowest} || version > {_m.Versions.Highest})");
            w.Line($"throw ProtocolErrors.UnsupportedVersion({Q(c.ErrorName)}, version, {_m.Versions.Lowest}, {_m.Versions.Highest});");
            w.Close();
        }
        if (body.ToString().Contains("flexible", StringComparison.Ordinal))
            w.Line(FlexibleDeclaration(c));
        w.Append(body);
        w.Close();
    }

    private void EmitReadValue(CodeWriter w, FieldSpec f, ClassModel c, string r)
    {
        var fx = FlexExpr(f, c);
        var nc = NullableCond(f, c);
        var target = "obj." + f.Name;
        var what = c.ErrorName + "." + f.Name;
        var nullThrow = $"throw ProtocolErrors.NullValue({Q(c.ErrorName)}, {Q(f.Name)}, version)";
        switch (f.Type.Kind)
        {
            case TypeKind.String:
            case TypeKind.Bytes:
            {
                var kind = f.Type.Kind == TypeKind.String ? "String" : "Bytes";
                if (nc == "true")
                    w.Line($"{target} = {r}.ReadNullable{kind}({fx});");
                else if (nc == "false")
                    w.Line($"{target} = {r}.Read{kind}({fx}, {Q(what)});");
                else
                    w.Line($"{target} = {nc} ? {r}.ReadNullable{kind}({fx}) : {r}.Read{kind}({fx}, {Q(what)});");
                break;
            }
            case TypeKind.Records:
                if (nc == "true")
                {
                    w.Line($"{target} = {r}.ReadNullableRecords({fx});");
                }
                else if (nc == "false")
                {
                    w.Line($"{target} = {r}.ReadNullableRecords({fx}) ?? {nullThrow};");
                }
                else
                {
                    w.Line($"{target} = {r}.ReadNullableRecords({fx});");
                    w.Open($"if ({target} is null && !({nc}))");
                    w.Line(nullThrow + ";");
                    w.Close();
                }
                break;
            case TypeKind.Array:
            {
                var e = f.Type.Element!;
                var min = MinElementSize(f, c);
                w.Open();
                w.Line($"var count = {r}.ReadArrayLength({fx}, {min});");
                w.Open("if (count < 0)");
                if (nc == "true")
                {
                    w.Line($"{target} = null;");
                }
                else if (nc == "false")
                {
                    w.Line(nullThrow + ";");
                }
                else
                {
                    w.Open($"if (!({nc}))");
                    w.Line(nullThrow + ";");
                    w.Close();
                    w.Line($"{target} = null;");
                }
                w.Close();
                w.Open("else");
                w.Line($"var list = new List<{ElementType(e, _m)}>(count);");
                w.Open("for (var i = 0; i < count; i++)");
                w.Line($"list.Add({ReadElement(e, r, fx, what)});");
                w.Close();
                w.Line($"{target} = list;");
                w.Close();
                w.Close();
                break;
            }
            case TypeKind.Struct:
            {
                var s = _m.StructOf(f).FullName;
                if (nc == "true")
                    w.Line($"{target} = {r}.ReadInt8() < 0 ? null : {s}.Read(ref {r}, version);");
                else if (nc == "false")
                    w.Line($"{target} = {s}.Read(ref {r}, version);");
                else
                    w.Line($"{target} = {nc} && {r}.ReadInt8() < 0 ? null : {s}.Read(ref {r}, version);");
                break;
            }
            default:
                w.Line($"{target} = {ReadElement(f.Type, r, fx, what)};");
                break;
        }
    }

    private string ReadElement(FieldType t, string r, string fx, string what) => t.Kind switch
    {
        TypeKind.Bool => $"{r}.ReadBool()",
        TypeKind.Int8 => $"{r}.ReadInt8()",
        TypeKind.Int16 => $"{r}.ReadInt16()",
        TypeKind.UInt16 => $"{r}.ReadUInt16()",
        TypeKind.Int32 => $"{r}.ReadInt32()",
        TypeKind.UInt32 => $"{r}.ReadUInt32()",
        TypeKind.Int64 => $"{r}.ReadInt64()",
        TypeKind.Float64 => $"{r}.ReadFloat64()",
        TypeKind.Uuid => $"{r}.ReadUuid()",
        TypeKind.String => $"{r}.ReadString({fx}, {Q(what)})",
        TypeKind.Bytes => $"{r}.ReadBytes({fx}, {Q(what)})",
        TypeKind.Struct => $"{_m.StructOf(new FieldSpec { Name = "?", Type = t, Versions = VersionRange.All }).FullName}.Read(ref {r}, version)",
        _ => throw new InvalidOperationException($"Unsupported element type {t}."),
    };

    // ---------------------------------------------------------------- Defaults

    private static void EmitHasDefaultValues(CodeWriter w, ClassModel c)
    {
        w.Summary("True when every field holds its default value (Kafka omits such tagged structs).");
        w.Open("internal bool HasDefaultValues()");
        foreach (var f in c.Fields)
        {
            w.Open($"if ({NonDefaultCondition(f, DefaultCheckAccess(f))})");
            w.Line("return false;");
            w.Close();
        }
        w.Line("return UnknownTaggedFields is null || UnknownTaggedFields.Count == 0;");
        w.Close();
    }
}
