namespace PolicyWebhook.Host.Tests;

/// <summary>
/// The machine's clock, which a test can move ahead at once: what is due by then (a timer, a delay, a timeout made on
/// this clock) fires, and the rest keeps running in real time. A background loop keeps moving on a busy machine, and a
/// test can still say "two minutes later" without waiting two minutes or racing a deadline.
/// </summary>
internal sealed class JumpingClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<Timer> _timers = [];
    private TimeSpan _ahead;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return System.GetUtcNow() + _ahead;
        }
    }

    /// <summary>Moves the clock ahead by <paramref name="by"/>; every timer due by then fires now.</summary>
    public void Jump(TimeSpan by)
    {
        List<Timer> due;
        lock (_gate)
        {
            _ahead += by;
            due = [.. _timers];
        }

        foreach (var timer in due)
        {
            timer.Reschedule();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class Timer : ITimer
    {
        private readonly JumpingClock _clock;
        private readonly ITimer _inner;
        private DateTimeOffset? _dueAt; // on the clock, for the next firing; null when stopped or fired once
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public Timer(JumpingClock clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _inner = System.CreateTimer(
                s =>
                {
                    lock (_clock._gate)
                    {
                        _dueAt = _period == Timeout.InfiniteTimeSpan ? null : _clock.GetUtcNow() + _period;
                    }

                    callback(s);
                },
                state,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_clock._gate)
            {
                _dueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _clock.GetUtcNow() + dueTime;
                _period = period;
            }

            return _inner.Change(dueTime, period);
        }

        // After a jump: what was due at a clock time now passed fires at once, then keeps its period.
        public void Reschedule()
        {
            TimeSpan left;
            TimeSpan period;
            lock (_clock._gate)
            {
                if (_dueAt is not { } dueAt)
                {
                    return;
                }

                left = dueAt - _clock.GetUtcNow();
                period = _period;
            }

            if (left <= TimeSpan.Zero)
            {
                Change(TimeSpan.Zero, period);
            }
        }

        public void Dispose()
        {
            lock (_clock._gate)
            {
                _clock._timers.Remove(this);
            }

            _inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
