using System.Text;

namespace Samsa.Protocol.Generator;

/// <summary>Accumulates C# source with indentation; always LF line endings for deterministic output.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length > 0)
            _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
    }

    public void Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
    }

    public void Open()
    {
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public void Indent() => _indent++;

    public void Outdent() => _indent--;

    public int IndentLevel => _indent;

    /// <summary>Appends lines produced by another writer at the current indentation.</summary>
    public void Append(CodeWriter other)
    {
        foreach (var line in other.ToString().Split('\n'))
        {
            if (line.Length == 0)
                continue;
            _sb.Append(' ', _indent * 4).Append(line).Append('\n');
        }
    }

    public void Summary(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return;
        Line("/// <summary>" + XmlEscape(text) + "</summary>");
    }

    /// <summary>A summary whose text is already XML (may hold paramref and see elements).</summary>
    public void SummaryXml(string xml) => Line("/// <summary>" + xml + "</summary>");

    public static string XmlEscape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\r': break;
                case '\n': sb.Append(' '); break;
                default: sb.Append(c < 128 ? c : '?'); break;
            }
        }
        return sb.ToString();
    }

    public static string Literal(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 32 || c > 126)
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    public override string ToString() => _sb.ToString();
}
