namespace Samsa.Protocol.Generator.Tests;

/// <summary>Spec texts used by the tests (copies of Kafka 3.9's, comments included).</summary>
internal static class Specs
{
    public const string FindCoordinatorRequest = """
        // Licensed to the Apache Software Foundation (ASF) under one or more
        // contributor license agreements.
        {
          "apiKey": 10,
          "type": "request",
          "listeners": ["zkBroker", "broker"],
          "name": "FindCoordinatorRequest",
          // Version 1 adds KeyType.
          //
          // Version 4 adds support for batching via CoordinatorKeys (KIP-699)
          "validVersions": "0-6",
          "deprecatedVersions": "0",
          "flexibleVersions": "3+",
          "fields": [
            { "name": "Key", "type": "string", "versions": "0-3",
              "about": "The coordinator key." },
            { "name": "KeyType", "type": "int8", "versions": "1+", "default": "0", "ignorable": false,
              "about": "The coordinator key type. (Group, transaction, etc.)" },
            { "name": "CoordinatorKeys", "type": "[]string", "versions": "4+",
              "about": "The coordinator keys." }
          ]
        }
        """;

    public const string FindCoordinatorResponse = """
        {
          "apiKey": 10,
          "type": "response",
          "name": "FindCoordinatorResponse",
          "validVersions": "0-6",
          "flexibleVersions": "3+",
          "fields": [
            { "name": "ThrottleTimeMs", "type": "int32", "versions": "1+", "ignorable": true,
              "about": "The duration in milliseconds for which the request was throttled." },
            { "name": "ErrorCode", "type": "int16", "versions": "0-3",
              "about": "The error code, or 0 if there was no error." },
            { "name": "ErrorMessage", "type": "string", "versions": "1-3", "nullableVersions": "1-3", "ignorable": true,
              "about": "The error message, or null if there was no error." },
            { "name": "NodeId", "type": "int32", "versions": "0-3", "entityType": "brokerId",
              "about": "The node id." },
            { "name": "Host", "type": "string", "versions": "0-3",
              "about": "The host name." },
            { "name": "Port", "type": "int32", "versions": "0-3",
              "about": "The port." },
            { "name": "Coordinators", "type": "[]Coordinator", "versions": "4+", "about": "Each coordinator result in the response", "fields": [
              { "name": "Key", "type": "string", "versions": "4+", "about": "The coordinator key." },
              { "name": "NodeId", "type": "int32", "versions": "4+", "entityType": "brokerId",
                "about": "The node id." },
              { "name": "Host", "type": "string", "versions": "4+", "about": "The host name." },
              { "name": "Port", "type": "int32", "versions": "4+", "about": "The port." },
              { "name": "ErrorCode", "type": "int16", "versions": "4+",
                "about": "The error code, or 0 if there was no error." },
              { "name": "ErrorMessage", "type": "string", "versions": "4+", "nullableVersions": "4+", "ignorable": true,
                "about": "The error message, or null if there was no error." }
            ]}
          ]
        }
        """;

    /// <summary>An API whose only version is unstable, plus its response.</summary>
    public const string UnstableRequest = """
        {
          "apiKey": 78, "type": "request", "name": "ShareFetchRequest",
          "validVersions": "0", "flexibleVersions": "0+", "latestVersionUnstable": true,
          "fields": [ { "name": "GroupId", "type": "string", "versions": "0+", "about": "g" } ]
        }
        """;

    public const string UnstableResponse = """
        {
          "apiKey": 78, "type": "response", "name": "ShareFetchResponse",
          "validVersions": "0", "flexibleVersions": "0+",
          "fields": [ { "name": "ErrorCode", "type": "int16", "versions": "0+", "about": "e" } ]
        }
        """;

    /// <summary>Tagged fields, a tag written as a string, hex default and a struct named like a field.</summary>
    public const string TaggedRequest = """
        {
          "apiKey": 90, "type": "request", "name": "SampleRequest",
          "validVersions": "0-3", "flexibleVersions": "2+", "latestVersionUnstable": true,
          "fields": [
            { "name": "Limit", "type": "int32", "versions": "0+", "default": "0x7fffffff", "about": "l" },
            { "name": "Cursor", "type": "Cursor", "versions": "2+", "nullableVersions": "2+", "default": "null", "about": "c",
              "fields": [ { "name": "Position", "type": "int64", "versions": "2+", "about": "p" } ] },
            { "name": "ClusterId", "type": "string", "versions": "2+", "taggedVersions": "2+", "tag": "0",
              "nullableVersions": "2+", "default": "null", "about": "id" }
          ]
        }
        """;

    public const string TaggedResponse = """
        {
          "apiKey": 90, "type": "response", "name": "SampleResponse",
          "validVersions": "0-3", "flexibleVersions": "2+",
          "fields": [ { "name": "ErrorCode", "type": "int16", "versions": "0+", "about": "e" } ]
        }
        """;

    public const string ErrorCodes = "code\tname\tretriable\n-1\tUNKNOWN_SERVER_ERROR\tfalse\n0\tNONE\tfalse\n6\tNOT_LEADER_OR_FOLLOWER\ttrue\n";

    public static List<MessageSpec> All() =>
    [
        SpecReader.ParseMessage(FindCoordinatorRequest),
        SpecReader.ParseMessage(FindCoordinatorResponse),
        SpecReader.ParseMessage(UnstableRequest),
        SpecReader.ParseMessage(UnstableResponse),
        SpecReader.ParseMessage(TaggedRequest),
        SpecReader.ParseMessage(TaggedResponse),
    ];
}
