namespace Samsa.Protocol.Generator;

/// <summary>A C# class to generate: the message itself or one of its structs (flattened, as Java does).</summary>
internal sealed class ClassModel
{
    public required string SpecName { get; init; }
    public required string ClassName { get; set; }
    public required IReadOnlyList<FieldSpec> Fields { get; init; }
    public required bool IsTop { get; init; }
    public required MessageModel Message { get; init; }

    /// <summary>Versions at which this class can appear on the wire (hull over its uses).</summary>
    public VersionRange Context { get; set; } = VersionRange.None;

    /// <summary>True when a non-array struct field refers to this class (needs HasDefaultValues).</summary>
    public bool NeedsDefaultCheck { get; set; }

    /// <summary>Type name usable anywhere in the message file.</summary>
    public string FullName => IsTop ? ClassName : Message.ClassName + "." + ClassName;

    /// <summary>Name used in error messages.</summary>
    public string ErrorName => IsTop ? ClassName : Message.ClassName + "." + ClassName;
}

/// <summary>A message spec resolved for generation: class names, struct lookup, version contexts.</summary>
internal sealed class MessageModel
{
    private readonly Dictionary<string, ClassModel> _byStructName = new(StringComparer.Ordinal);

    public MessageModel(MessageSpec spec, VersionRange versions)
    {
        Spec = spec;
        Versions = versions;
        Top = new ClassModel { SpecName = spec.Name, ClassName = spec.Name, Fields = spec.Fields, IsTop = true, Message = this };
        Classes.Add(Top);
        Collect(spec.Fields);
        foreach (var common in spec.CommonStructs)
        {
            if (_byStructName.ContainsKey(common.Name))
                throw new FormatException($"{spec.Name}: struct {common.Name} is declared twice.");
            var c = new ClassModel { SpecName = common.Name, ClassName = common.Name, Fields = common.Fields, IsTop = false, Message = this };
            _byStructName.Add(common.Name, c);
            Classes.Add(c);
            Collect(common.Fields);
        }
        foreach (var c in Classes)
        {
            foreach (var f in c.Fields)
            {
                if (f.StructName is { } sn && !_byStructName.ContainsKey(sn))
                    throw new FormatException($"{spec.Name}: field {f.Name} refers to unknown struct {sn}.");
            }
        }
        AssignClassNames();
        Visit(Top, versions);
        MarkDefaultChecks();
        // Deterministic order: the message first, then structs by name.
        var rest = Classes.Where(c => !c.IsTop).OrderBy(c => c.ClassName, StringComparer.Ordinal).ToList();
        Classes.Clear();
        Classes.Add(Top);
        Classes.AddRange(rest);
    }

    public MessageSpec Spec { get; }

    /// <summary>The versions generated for this message.</summary>
    public VersionRange Versions { get; }

    public ClassModel Top { get; }

    public List<ClassModel> Classes { get; } = [];

    public string ClassName => Top.ClassName;

    public ClassModel StructOf(FieldSpec field)
        => _byStructName[field.StructName ?? throw new InvalidOperationException($"{field.Name} is not a struct field.")];

    private void Collect(IReadOnlyList<FieldSpec> fields)
    {
        foreach (var f in fields)
        {
            if (f.Fields is null)
                continue;
            var name = f.StructName ?? throw new FormatException($"{Spec.Name}: field {f.Name} has fields but type {f.Type}.");
            if (_byStructName.ContainsKey(name))
                throw new FormatException($"{Spec.Name}: struct {name} is declared twice.");
            var c = new ClassModel { SpecName = name, ClassName = name, Fields = f.Fields, IsTop = false, Message = this };
            _byStructName.Add(name, c);
            Classes.Add(c);
            Collect(f.Fields);
        }
    }

    private void AssignClassNames()
    {
        // Nested classes share the message class's member space, and a class may not contain a member
        // named like itself; on a clash the struct's class gets a "Data" suffix.
        var topMembers = new HashSet<string>(StringComparer.Ordinal) { "Write", "Read", "ComputeSize", "ApiKey", "LowestVersion", "HighestVersion", "FlexibleFrom", "UnknownTaggedFields", "HasDefaultValues", Top.ClassName };
        foreach (var f in Top.Fields)
            topMembers.Add(f.Name);
        foreach (var c in Classes)
        {
            if (c.IsTop)
                continue;
            var clash = topMembers.Contains(c.SpecName);
            foreach (var f in c.Fields)
                clash |= f.Name == c.SpecName;
            if (clash)
                c.ClassName = c.SpecName + "Data";
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Classes)
        {
            if (!names.Add(c.ClassName))
                throw new FormatException($"{Spec.Name}: class name {c.ClassName} is used twice.");
        }
    }

    private void Visit(ClassModel c, VersionRange context)
    {
        var merged = c.Context.IsEmpty ? context : context.IsEmpty ? c.Context
            : new VersionRange(Math.Min(c.Context.Lowest, context.Lowest), Math.Max(c.Context.Highest, context.Highest));
        if (merged == c.Context && !(c.IsTop && c.Context.IsEmpty && merged.IsEmpty && !_visitedTop))
            return;
        _visitedTop = true;
        c.Context = merged;
        foreach (var f in c.Fields)
        {
            if (f.StructName is null)
                continue;
            var inner = f.Versions.Intersect(merged);
            if (!inner.IsEmpty)
                Visit(_byStructName[f.StructName], inner);
        }
    }

    private bool _visitedTop;

    private void MarkDefaultChecks()
    {
        var stack = new Stack<ClassModel>();
        foreach (var c in Classes)
        {
            foreach (var f in c.Fields)
            {
                if (f.Type.IsStruct)
                    stack.Push(_byStructName[f.Type.StructName!]);
            }
        }
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            if (c.NeedsDefaultCheck)
                continue;
            c.NeedsDefaultCheck = true;
            foreach (var f in c.Fields)
            {
                if (f.Type.IsStruct)
                    stack.Push(_byStructName[f.Type.StructName!]);
            }
        }
    }
}
