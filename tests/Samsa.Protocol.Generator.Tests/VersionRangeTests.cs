namespace Samsa.Protocol.Generator.Tests;

public class VersionRangeTests
{
    [Theory]
    [InlineData("0+", 0, short.MaxValue)]
    [InlineData("3+", 3, short.MaxValue)]
    [InlineData("1-3", 1, 3)]
    [InlineData("7", 7, 7)]
    [InlineData(" 2-4 ", 2, 4)]
    public void Parses_open_closed_and_single_ranges(string text, short lowest, short highest)
    {
        var range = VersionRange.Parse(text);
        Assert.Equal(lowest, range.Lowest);
        Assert.Equal(highest, range.Highest);
        Assert.False(range.IsEmpty);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("NONE")]
    public void None_is_empty(string text)
    {
        var range = VersionRange.Parse(text);
        Assert.True(range.IsEmpty);
        Assert.False(range.Contains(0));
        Assert.Equal("none", range.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("3-1")]
    [InlineData("-1")]
    [InlineData("1-")]
    [InlineData("+")]
    [InlineData("99999")]
    public void Rejects_malformed_ranges(string text)
        => Assert.Throws<FormatException>(() => VersionRange.Parse(text));

    [Fact]
    public void Intersection_and_containment()
    {
        var a = VersionRange.Parse("2+");
        var b = VersionRange.Parse("0-4");
        Assert.Equal(VersionRange.Parse("2-4"), a.Intersect(b));
        Assert.True(VersionRange.Parse("5-6").Intersect(b).IsEmpty);
        Assert.True(a.Contains(VersionRange.Parse("3-9")));
        Assert.False(b.Contains(VersionRange.Parse("3-9")));
        Assert.True(a.Contains(100));
        Assert.False(a.Contains(1));
    }

    [Theory]
    [InlineData("0+")]
    [InlineData("1-3")]
    [InlineData("4")]
    [InlineData("none")]
    public void ToString_round_trips(string text) => Assert.Equal(text, VersionRange.Parse(text).ToString());
}
