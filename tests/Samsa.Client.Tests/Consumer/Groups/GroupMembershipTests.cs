using Samsa.Client.Consumer.Groups;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Tests.Consumer.Groups;

public class GroupMembershipTests
{
    const int Session = 10_000;
    const int HeartbeatInterval = 3_000;
    long _now = 1_000;
    int _assignCalls;

    GroupMembership Create(string? instanceId = null) => new(
        new GroupMembershipSettings("g", instanceId, Session, 60_000, HeartbeatInterval, 100),
        () => [("range", [1, 2, 3])],
        (protocol, leader, members) =>
        {
            _assignCalls++;
            return members.Select(m => (m.MemberId, new byte[] { 9 })).ToList();
        });

    static T Single<T>(List<GroupRequest> calls) where T : GroupRequest => Assert.IsType<T>(Assert.Single(calls));

    GroupMembership Stable(string? instanceId = null)
    {
        var m = Create(instanceId);
        Single<FindCoordinatorCall>(m.Poll(_now));
        m.OnFindCoordinatorResponse(ErrorCode.None, 1, "127.0.0.1", 9092, _now);
        Assert.Empty(m.Poll(_now)); // waits for the application's join prepare
        Assert.True(m.NeedsJoinPrepare);
        m.JoinPrepared();
        var join = Single<JoinGroupCall>(m.Poll(_now));
        Assert.Equal("", join.MemberId);
        m.OnJoinGroupResponse(new JoinGroupResult(ErrorCode.None, 1, "range", "m-1", "m-1", [new JoinGroupMember("m-1", instanceId, [1])]), _now);
        var sync = Single<SyncGroupCall>(m.Poll(_now));
        Assert.Equal(1, sync.GenerationId);
        m.OnSyncGroupResponse(ErrorCode.None, [9], _now);
        Assert.Equal(MemberState.Stable, m.State);
        return m;
    }

    [Fact]
    public void Member_finds_coordinator_joins_syncs_and_gets_its_assignment()
    {
        var m = Stable();
        Assert.Equal(1, _assignCalls);
        var (generation, assignment) = m.TakeAssignment()!.Value;
        Assert.Equal(new Generation(1, "m-1", "range"), generation);
        Assert.Equal([9], assignment);
        Assert.Null(m.TakeAssignment());
        Assert.False(m.RejoinNeeded);
    }

    [Fact]
    public void Follower_sends_an_empty_sync_group()
    {
        var m = Create();
        m.Poll(_now);
        m.OnFindCoordinatorResponse(ErrorCode.None, 1, "h", 1, _now);
        m.JoinPrepared();
        m.Poll(_now);
        m.OnJoinGroupResponse(new JoinGroupResult(ErrorCode.None, 4, "range", "leader", "me", []), _now);
        var sync = Single<SyncGroupCall>(m.Poll(_now));
        Assert.Empty(sync.Assignments);
        Assert.Equal(0, _assignCalls);
    }

    [Fact]
    public void Member_id_required_round_rejoins_with_the_given_id()
    {
        var m = Create();
        m.Poll(_now);
        m.OnFindCoordinatorResponse(ErrorCode.None, 1, "h", 1, _now);
        m.JoinPrepared();
        m.Poll(_now);
        m.OnJoinGroupResponse(new JoinGroupResult(ErrorCode.MemberIdRequired, -1, null, "", "assigned-id", []), _now);
        var again = Single<JoinGroupCall>(m.Poll(_now));
        Assert.Equal("assigned-id", again.MemberId);
    }

    [Fact]
    public void Heartbeats_follow_the_interval()
    {
        var m = Stable();
        Assert.Empty(m.Poll(_now));
        Assert.Equal(HeartbeatInterval, m.TimeToNextPoll(_now));
        _now += HeartbeatInterval;
        var hb = Single<HeartbeatCall>(m.Poll(_now));
        Assert.Equal(1, hb.GenerationId);
        Assert.Empty(m.Poll(_now)); // one heartbeat in flight at a time
        m.OnHeartbeatResponse(ErrorCode.None, _now);
        _now += HeartbeatInterval - 1;
        Assert.Empty(m.Poll(_now));
        _now += 1;
        Single<HeartbeatCall>(m.Poll(_now));
    }

    [Fact]
    public void Rebalance_in_progress_asks_the_application_to_rejoin_keeping_the_generation()
    {
        var m = Stable();
        _now += HeartbeatInterval;
        m.Poll(_now);
        m.OnHeartbeatResponse(ErrorCode.RebalanceInProgress, _now);
        Assert.True(m.RejoinNeeded);
        Assert.True(m.NeedsJoinPrepare);
        Assert.False(m.GenerationLost);
        m.JoinPrepared();
        var join = Single<JoinGroupCall>(m.Poll(_now));
        Assert.Equal("m-1", join.MemberId);
    }

    [Fact]
    public void Unknown_member_loses_the_generation_and_partitions()
    {
        var m = Stable();
        _now += HeartbeatInterval;
        m.Poll(_now);
        m.OnHeartbeatResponse(ErrorCode.UnknownMemberId, _now);
        Assert.True(m.GenerationLost);
        Assert.Equal(Generation.NoGeneration, m.Generation);
        m.JoinPrepared();
        Assert.Equal("", Single<JoinGroupCall>(m.Poll(_now)).MemberId);
    }

    [Fact]
    public void Not_coordinator_triggers_rediscovery_and_heartbeats_resume()
    {
        var m = Stable();
        _now += HeartbeatInterval;
        m.Poll(_now);
        m.OnHeartbeatResponse(ErrorCode.NotCoordinator, _now);
        Assert.Null(m.Coordinator);
        Single<FindCoordinatorCall>(m.Poll(_now));
        m.OnFindCoordinatorResponse(ErrorCode.None, 2, "h2", 2, _now);
        _now += HeartbeatInterval;
        Single<HeartbeatCall>(m.Poll(_now));
        Assert.Equal(MemberState.Stable, m.State);
    }

    [Fact]
    public void Session_timeout_without_heartbeat_reply_marks_coordinator_unknown()
    {
        var m = Stable();
        _now += HeartbeatInterval;
        m.Poll(_now); // heartbeat sent, never answered
        _now += Session + 1;
        Single<FindCoordinatorCall>(m.Poll(_now));
        Assert.Null(m.Coordinator);
    }

    [Fact]
    public void Failed_find_coordinator_backs_off()
    {
        var m = Create();
        var find = Single<FindCoordinatorCall>(m.Poll(_now));
        m.OnRequestFailed(find, _now);
        Assert.Empty(m.Poll(_now + 99));
        Single<FindCoordinatorCall>(m.Poll(_now + 100));
    }

    [Fact]
    public void Poll_timeout_leaves_the_group_and_marks_partitions_lost()
    {
        var m = Stable();
        Assert.Null(m.MaybeLeaveOnPollTimeout(_now + 500, _now, 1000, out var left));
        Assert.False(left);
        var leave = m.MaybeLeaveOnPollTimeout(_now + 1001, _now, 1000, out left);
        Assert.True(left);
        Assert.Equal("m-1", leave!.MemberId);
        Assert.True(m.GenerationLost);
        Assert.Equal(MemberState.Unjoined, m.State);
    }

    [Fact]
    public void Static_member_does_not_send_leave_group()
    {
        var m = Stable("instance-1");
        Assert.Null(m.LeaveGroup("closing", markLost: false));
        Assert.Equal(Generation.NoGeneration, m.Generation);
    }

    [Fact]
    public void Dynamic_member_leaves_with_its_member_id()
    {
        var m = Stable();
        var leave = m.LeaveGroup("closing", markLost: false)!;
        Assert.Equal("m-1", leave.MemberId);
    }

    [Fact]
    public void Fenced_static_member_is_a_fatal_error()
    {
        var m = Create("instance-1");
        m.Poll(_now);
        m.OnFindCoordinatorResponse(ErrorCode.None, 1, "h", 1, _now);
        m.JoinPrepared();
        m.Poll(_now);
        m.OnJoinGroupResponse(new JoinGroupResult(ErrorCode.FencedInstanceId, -1, null, "", "", []), _now);
        var e = Assert.IsType<KafkaException>(m.FatalError);
        Assert.Equal(ErrorCode.FencedInstanceId, e.Code);
        Assert.Contains("instance-1", e.Message, StringComparison.Ordinal);
        Assert.Empty(m.Poll(_now));
    }

    [Fact]
    public void Sync_group_rebalance_in_progress_rejoins_without_another_prepare()
    {
        var m = Create();
        m.Poll(_now);
        m.OnFindCoordinatorResponse(ErrorCode.None, 1, "h", 1, _now);
        m.JoinPrepared();
        m.Poll(_now);
        m.OnJoinGroupResponse(new JoinGroupResult(ErrorCode.None, 1, "range", "x", "me", []), _now);
        m.Poll(_now);
        m.OnSyncGroupResponse(ErrorCode.RebalanceInProgress, [], _now);
        Assert.False(m.NeedsJoinPrepare);
        Single<JoinGroupCall>(m.Poll(_now));
    }

    [Fact]
    public void Join_retries_after_backoff_on_coordinator_loading()
    {
        var m = Create();
        m.Poll(_now);
        m.OnFindCoordinatorResponse(ErrorCode.None, 1, "h", 1, _now);
        m.JoinPrepared();
        m.Poll(_now);
        m.OnJoinGroupResponse(new JoinGroupResult(ErrorCode.CoordinatorLoadInProgress, -1, null, "", "", []), _now);
        Assert.Empty(m.Poll(_now + 50));
        Single<JoinGroupCall>(m.Poll(_now + 100));
    }
}
