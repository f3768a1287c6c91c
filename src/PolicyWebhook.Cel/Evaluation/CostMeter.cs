namespace PolicyWebhook.Cel.Evaluation;

/// <summary>
/// Counts evaluation steps against a budget and stops the evaluation once the budget is spent. A meter with a parent also
/// charges the parent, so one expression has its own limit inside the budget of the whole request.
/// </summary>
public sealed class CostMeter(long budget, CostMeter? parent = null)
{
    public long Budget { get; } = budget;

    public long Spent { get; private set; }

    /// <summary>Adds units of work (one per step; more for work proportional to a string's or list's size).</summary>
    public void Charge(long units)
    {
        Spent += units;
        parent?.Charge(units);
        if (Spent > Budget)
        {
            throw new CostBudgetExceededException(Budget);
        }
    }

    /// <summary>Charges for touching a value of the given size, at one unit per ten elements or characters, as Kubernetes does.</summary>
    public void ChargeSize(long size) => Charge(1 + (size / 10));
}

/// <summary>Thrown by <see cref="CostMeter"/> when an evaluation runs out of budget; <see cref="CelProgram"/> turns it into an error result.</summary>
public sealed class CostBudgetExceededException : Exception
{
    public CostBudgetExceededException(long budget)
        : base($"operation cancelled: actual cost limit exceeded (budget {budget})")
    {
    }

    public CostBudgetExceededException()
    {
    }

    public CostBudgetExceededException(string message)
        : base(message)
    {
    }

    public CostBudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
