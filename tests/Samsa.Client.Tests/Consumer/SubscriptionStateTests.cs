using System.Text.RegularExpressions;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;

namespace Samsa.Client.Tests.Consumer;

public class SubscriptionStateTests
{
    static readonly TopicPartition A = new("t", 0);
    static readonly TopicPartition B = new("t", 1);

    [Fact]
    public void Subscribe_and_assign_are_mutually_exclusive()
    {
        var s = new SubscriptionState(AutoOffsetReset.Latest);
        s.Subscribe(["t"]);
        Assert.Throws<InvalidOperationException>(() => s.AssignFromUser([A]));
        Assert.Throws<InvalidOperationException>(() => s.Subscribe(new Regex("t.*")));
        s.Unsubscribe();
        Assert.True(s.AssignFromUser([A]));
    }

    [Fact]
    public void New_partitions_start_initializing_and_are_not_fetchable()
    {
        var s = new SubscriptionState(AutoOffsetReset.Latest);
        s.AssignFromUser([A, B]);
        Assert.Equal([A, B], s.InitializingPartitions());
        Assert.Empty(s.FetchablePartitions());
        s.Seek(A, new FetchPosition(10, null));
        Assert.Equal([(A, new FetchPosition(10, null))], s.FetchablePartitions());
        Assert.False(s.HasAllFetchPositions());
    }

    [Fact]
    public void Caught_up_compares_the_position_with_the_high_watermark_or_for_read_committed_the_last_stable_offset()
    {
        var s = new SubscriptionState(AutoOffsetReset.Latest);
        s.AssignFromUser([A]);
        s.Seek(A, new FetchPosition(5, null));
        Assert.False(s.IsCaughtUp(A, IsolationLevel.ReadUncommitted)); // end not known yet
        s.UpdateHighWatermark(A, 8, 0, 5);
        Assert.False(s.IsCaughtUp(A, IsolationLevel.ReadUncommitted));
        Assert.True(s.IsCaughtUp(A, IsolationLevel.ReadCommitted));
        s.UpdatePosition(A, new FetchPosition(8, null));
        Assert.True(s.IsCaughtUp(A, IsolationLevel.ReadUncommitted));
        Assert.False(s.IsCaughtUp(B, IsolationLevel.ReadUncommitted)); // not assigned
    }

    [Fact]
    public void Fetch_state_version_moves_on_every_change_that_decides_fetches_but_not_on_progress()
    {
        var s = new SubscriptionState(AutoOffsetReset.Latest);
        var v = s.FetchStateVersion;
        int Changed()
        {
            Assert.NotEqual(v, s.FetchStateVersion);
            return v = s.FetchStateVersion;
        }
        s.AssignFromUser([A, B]);
        Changed();
        s.Seek(A, new FetchPosition(0, null));
        Changed();
        s.ResetInitializingPartitions(); // B awaits a reset
        Changed();
        s.MaybeSeekUnvalidated(B, new FetchPosition(7, null), AutoOffsetReset.Latest);
        Changed();
        s.UpdatePosition(A, new FetchPosition(5, null)); // records returned: only the offset moved
        Assert.Equal(v, s.FetchStateVersion);
        s.UpdateHighWatermark(A, 9, 0, 9);
        Changed();
        s.Pause(A);
        Changed();
        s.Resume(A);
        Changed();
        s.RequestOffsetReset(A);
        Changed();
        s.MarkPendingRevocation([B]);
        Changed();
        s.Unsubscribe();
        Changed();
    }

    [Fact]
    public void Paused_partitions_keep_position_but_are_not_fetched()
    {
        var s = new SubscriptionState(AutoOffsetReset.Latest);
        s.AssignFromUser([A]);
        s.Seek(A, new FetchPosition(3, null));
        s.Pause(A);
        Assert.Empty(s.FetchablePartitions());
        Assert.Equal(3, s.Position(A)!.Value.Offset);
        s.Resume(A);
        Assert.Single(s.FetchablePartitions());
    }

    [Fact]
    public void Reset_is_taken_once_and_a_late_reply_does_not_undo_a_seek()
    {
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        s.AssignFromUser([A]);
        s.ResetInitializingPartitions();
        Assert.Equal([(A, AutoOffsetReset.Earliest)], s.TakePartitionsToReset(0));
        Assert.Empty(s.TakePartitionsToReset(0));
        s.Seek(A, new FetchPosition(50, null));
        s.MaybeSeekUnvalidated(A, new FetchPosition(0, null), AutoOffsetReset.Earliest);
        Assert.Equal(50, s.Position(A)!.Value.Offset);
    }

    [Fact]
    public void Failed_reset_backs_off_until_the_given_time()
    {
        var s = new SubscriptionState(AutoOffsetReset.Latest);
        s.AssignFromUser([A]);
        s.RequestOffsetReset(A);
        Assert.Single(s.TakePartitionsToReset(0));
        s.RequestFailedReset(A, 100);
        Assert.Empty(s.TakePartitionsToReset(99));
        Assert.Single(s.TakePartitionsToReset(100));
    }

    [Fact]
    public void Reassignment_keeps_state_of_partitions_that_stay()
    {
        var s = new SubscriptionState(AutoOffsetReset.Latest);
        s.Subscribe(["t"]);
        s.AssignFromSubscribed([A]);
        s.Seek(A, new FetchPosition(7, 2));
        s.AssignFromSubscribed([A, B]);
        Assert.Equal(7, s.Position(A)!.Value.Offset);
        Assert.Null(s.Position(B));
        Assert.Equal([A], s.AllConsumed().Keys);
    }

    [Fact]
    public void Position_of_unassigned_partition_is_a_clear_error()
    {
        var s = new SubscriptionState(AutoOffsetReset.Latest);
        var e = Assert.Throws<InvalidOperationException>(() => s.Position(A));
        Assert.Contains("t-0", e.Message, StringComparison.Ordinal);
    }
}
