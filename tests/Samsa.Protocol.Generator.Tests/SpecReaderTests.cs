namespace Samsa.Protocol.Generator.Tests;

public class SpecReaderTests
{
    [Fact]
    public void FindCoordinator_request_parses_into_the_model()
    {
        var spec = SpecReader.ParseMessage(Specs.FindCoordinatorRequest);
        Assert.Equal("FindCoordinatorRequest", spec.Name);
        Assert.True(spec.IsRequest);
        Assert.Equal((short)10, spec.ApiKey);
        Assert.Equal("FindCoordinator", spec.ApiName);
        Assert.Equal(VersionRange.Parse("0-6"), spec.ValidVersions);
        Assert.Equal(VersionRange.Parse("0-6"), spec.StableVersions);
        Assert.Equal(3, spec.FlexibleFrom);
        Assert.Equal(VersionRange.Parse("0"), spec.DeprecatedVersions);
        Assert.Equal(3, spec.Fields.Count);

        var key = spec.Fields[0];
        Assert.Equal("Key", key.Name);
        Assert.Equal(TypeKind.String, key.Type.Kind);
        Assert.Equal(VersionRange.Parse("0-3"), key.Versions);
        Assert.True(key.NullableVersions.IsEmpty);

        var keyType = spec.Fields[1];
        Assert.Equal(TypeKind.Int8, keyType.Type.Kind);
        Assert.Equal("0", keyType.Default);
        Assert.False(keyType.Ignorable);

        var keys = spec.Fields[2];
        Assert.True(keys.Type.IsArray);
        Assert.Equal(TypeKind.String, keys.Type.Element!.Kind);
        Assert.Equal(VersionRange.Parse("4+"), keys.Versions);
    }

    [Fact]
    public void FindCoordinator_response_has_an_inline_struct_and_nullable_fields()
    {
        var spec = SpecReader.ParseMessage(Specs.FindCoordinatorResponse);
        var throttle = spec.Fields[0];
        Assert.True(throttle.Ignorable);
        var errorMessage = spec.Fields[2];
        Assert.Equal(VersionRange.Parse("1-3"), errorMessage.NullableVersions);
        Assert.Equal("brokerId", spec.Fields[3].EntityType);

        var coordinators = spec.Fields[6];
        Assert.Equal("Coordinator", coordinators.StructName);
        Assert.NotNull(coordinators.Fields);
        Assert.Equal(6, coordinators.Fields!.Count);
        Assert.Equal(VersionRange.Parse("4+"), coordinators.Fields[5].NullableVersions);

        var model = new MessageModel(spec, spec.StableVersions);
        Assert.Equal(2, model.Classes.Count);
        Assert.Equal("FindCoordinatorResponse.Coordinator", model.Classes[1].FullName);
        Assert.Equal(VersionRange.Parse("4-6"), model.Classes[1].Context);
    }

    [Fact]
    public void Unstable_latest_version_is_left_out()
    {
        var only = SpecReader.ParseMessage(Specs.UnstableRequest);
        Assert.True(only.StableVersions.IsEmpty);
        var tagged = SpecReader.ParseMessage(Specs.TaggedRequest);
        Assert.Equal(VersionRange.Parse("0-2"), tagged.StableVersions);
    }

    [Fact]
    public void Tagged_field_with_string_tag_is_read()
    {
        var spec = SpecReader.ParseMessage(Specs.TaggedRequest);
        var clusterId = spec.Fields[2];
        Assert.True(clusterId.IsTagged);
        Assert.Equal(0, clusterId.Tag);
        Assert.Equal(VersionRange.Parse("2+"), clusterId.TaggedVersions);
    }

    [Theory]
    [InlineData("""{ "type": "data", "name": "X", "validVersions": "0", "fields": [ { "name": "A", "type": "int33", "versions": "0+" } ] }""")]
    [InlineData("""{ "type": "data", "name": "X", "validVersions": "0", "fields": [ { "name": "A", "type": "int32" } ] }""")]
    [InlineData("""{ "type": "data", "name": "X", "validVersions": "0", "flexibleVersions": "0+", "fields": [ { "name": "A", "type": "int32", "versions": "0+", "tag": 1 } ] }""")]
    [InlineData("""{ "type": "data", "validVersions": "0", "fields": [] }""")]
    [InlineData("""{ "type": "data", "name": "X", "validVersions": "0", "fields": [ """)]
    public void Malformed_specs_fail_with_format_exception(string json)
        => Assert.Throws<FormatException>(() => SpecReader.ParseMessage(json, "test.json"));

    [Fact]
    public void Field_referring_to_an_unknown_struct_is_refused()
    {
        var spec = SpecReader.ParseMessage("""{ "type": "data", "name": "X", "validVersions": "0", "fields": [ { "name": "A", "type": "[]Missing", "versions": "0+" } ] }""");
        Assert.Throws<FormatException>(() => new MessageModel(spec, spec.StableVersions));
    }

    [Fact]
    public void Error_codes_parse_from_the_tsv()
    {
        var codes = SpecReader.ParseErrorCodes(Specs.ErrorCodes);
        Assert.Equal(3, codes.Count);
        Assert.Equal(new ErrorCodeSpec(-1, "UNKNOWN_SERVER_ERROR", false), codes[0]);
        Assert.Equal(new ErrorCodeSpec(6, "NOT_LEADER_OR_FOLLOWER", true), codes[2]);
        Assert.Equal("NotLeaderOrFollower", TableEmitter.PascalCase("NOT_LEADER_OR_FOLLOWER"));
    }
}
