using Samsa.Broker.State;
using Samsa.Protocol;

namespace Samsa.Broker.Tests;

public class GroupCoordinatorTests
{
    private readonly ManualTime _time = new();
    private readonly GroupCoordinator _groups;

    public GroupCoordinatorTests() => _groups = new GroupCoordinator(_time, new GroupSettings(1000, 600_000, 0), startTimer: false);

    private static List<(string, byte[])> Protocols(string name = "range") => [(name, [1, 2, 3])];

    private Task<JoinResult> Join(string memberId, int session = 10_000, int rebalance = 5_000) =>
        _groups.JoinAsync("g", memberId, null, "consumer", Protocols(), session, rebalance, requireKnownMemberId: true, "client", "/127.0.0.1");

    private async Task<string> JoinNewMemberAsync()
    {
        var first = await Join("");
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        return first.MemberId;
    }

    [Fact]
    public async Task Single_member_joins_after_member_id_round_and_becomes_stable_leader()
    {
        string id = await JoinNewMemberAsync();
        var joined = await Join(id);
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(id, joined.LeaderId);
        Assert.Equal("range", joined.ProtocolName);
        Assert.Single(joined.Members!);

        var sync = await _groups.SyncAsync("g", 1, id, null, null, null, [(id, [9])]);
        Assert.Equal(ErrorCode.None, sync.Error);
        Assert.Equal([9], sync.Assignment);
        Assert.Equal("Stable", _groups.Describe("g").State);
    }

    [Fact]
    public async Task New_member_triggers_rebalance_that_completes_when_everyone_rejoined()
    {
        string a = await JoinNewMemberAsync();
        await Join(a);
        await _groups.SyncAsync("g", 1, a, null, null, null, [(a, [1])]);

        string b = await JoinNewMemberAsync();
        var joinB = Join(b);
        Assert.False(joinB.IsCompleted);
        Assert.Equal(ErrorCode.RebalanceInProgress, _groups.Heartbeat("g", 1, a, null));
        // While preparing, the current generation may still commit (commit before revocation).
        Assert.Equal(ErrorCode.None, _groups.ValidateCommit("g", 1, a, null));

        var joinA = await Join(a);
        var joinedB = await joinB;
        // Until the leader's SyncGroup the new generation has no assignment: commits wait for it.
        Assert.Equal(ErrorCode.RebalanceInProgress, _groups.ValidateCommit("g", 2, a, null));
        Assert.Equal(2, joinA.GenerationId);
        Assert.Equal(2, joinedB.GenerationId);
        Assert.Equal(a, joinA.LeaderId);
        Assert.Equal(2, joinA.Members!.Count);
        Assert.Empty(joinedB.Members!);

        var syncB = _groups.SyncAsync("g", 2, b, null, null, null, []);
        Assert.False(syncB.IsCompleted);
        await _groups.SyncAsync("g", 2, a, null, null, null, [(a, [1]), (b, [2])]);
        Assert.Equal([2], (await syncB).Assignment);
        Assert.Equal(ErrorCode.IllegalGeneration, _groups.Heartbeat("g", 1, a, null));
        Assert.Equal(ErrorCode.None, _groups.Heartbeat("g", 2, a, null));
    }

    [Fact]
    public async Task Member_that_stops_heartbeating_is_expired_after_session_timeout()
    {
        string a = await JoinNewMemberAsync();
        await Join(a, session: 10_000);
        await _groups.SyncAsync("g", 1, a, null, null, null, []);
        _time.Advance(TimeSpan.FromSeconds(9));
        _groups.Tick();
        Assert.Equal(ErrorCode.None, _groups.Heartbeat("g", 1, a, null));
        _time.Advance(TimeSpan.FromSeconds(10));
        _groups.Tick();
        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat("g", 1, a, null));
        Assert.Equal("Empty", _groups.Describe("g").State);
    }

    [Fact]
    public async Task Member_missing_the_rejoin_is_dropped_at_the_rebalance_deadline()
    {
        string a = await JoinNewMemberAsync();
        await Join(a, session: 60_000, rebalance: 5_000);
        await _groups.SyncAsync("g", 1, a, null, null, null, []);
        string b = await JoinNewMemberAsync();
        var joinB = Join(b, session: 60_000, rebalance: 5_000);
        _time.Advance(TimeSpan.FromSeconds(6));
        _groups.Tick();
        var joined = await joinB;
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(2, joined.GenerationId);
        Assert.Equal(b, joined.LeaderId);
        Assert.Single(joined.Members!);
        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat("g", 2, a, null));
    }

    [Fact]
    public async Task Leave_empties_the_group_and_only_empty_groups_can_be_deleted()
    {
        string a = await JoinNewMemberAsync();
        await Join(a);
        Assert.Equal(ErrorCode.NonEmptyGroup, _groups.Delete("g"));
        var (_, errors) = _groups.Leave("g", [(a, null)]);
        Assert.Equal([ErrorCode.None], errors);
        Assert.Equal("Empty", _groups.Describe("g").State);
        Assert.Equal(ErrorCode.None, _groups.Delete("g"));
        Assert.Equal(ErrorCode.GroupIdNotFound, _groups.Delete("g"));
    }

    [Fact]
    public async Task Commits_are_checked_against_member_and_generation()
    {
        string a = await JoinNewMemberAsync();
        await Join(a);
        await _groups.SyncAsync("g", 1, a, null, null, null, []);
        Assert.Equal(ErrorCode.None, _groups.ValidateCommit("g", 1, a, null));
        Assert.Equal(ErrorCode.IllegalGeneration, _groups.ValidateCommit("g", 0, a, null));
        Assert.Equal(ErrorCode.UnknownMemberId, _groups.ValidateCommit("g", 1, "nobody", null));
        Assert.Equal(ErrorCode.IllegalGeneration, _groups.ValidateCommit("g", -1, "", null)); // simple commit to a live group
        Assert.Equal(ErrorCode.None, _groups.ValidateCommit("other", -1, "", null));
    }

    [Fact]
    public async Task Session_timeout_outside_the_broker_bounds_is_rejected()
    {
        var result = await _groups.JoinAsync("g", "", null, "consumer", Protocols(), 10, 10, true, "c", "h");
        Assert.Equal(ErrorCode.InvalidSessionTimeout, result.Error);
    }

    [Fact]
    public async Task Members_without_a_common_protocol_are_inconsistent()
    {
        string a = await JoinNewMemberAsync();
        await Join(a);
        var other = await _groups.JoinAsync("g", "", null, "consumer", Protocols("roundrobin"), 10_000, 5_000, false, "c", "h");
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, other.Error);
    }
}
