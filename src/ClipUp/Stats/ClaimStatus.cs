namespace ClipUp.Stats;

/// <summary>What an interval says about a paper's claim at our scale.</summary>
public enum ClaimStatus
{
    /// <summary>The whole interval lies on the side the paper claims.</summary>
    Holds,
    /// <summary>The whole interval lies on the other side: at this scale the opposite is true.</summary>
    Reversed,
    /// <summary>The interval contains zero: the runs cannot tell.</summary>
    Inconclusive,
}

public static class ClaimStatusRule
{
    /// <summary>The status of a claim that the variant is better (<paramref name="expectedSign"/> +1) or worse (−1) than its baseline.</summary>
    public static ClaimStatus Decide(Interval interval, int expectedSign)
    {
        if (expectedSign is not (1 or -1)) throw new ArgumentException($"expected sign {expectedSign} must be +1 (variant higher) or -1 (variant lower)");
        double lo = interval.Lower * expectedSign, hi = interval.Upper * expectedSign;
        (lo, hi) = (Math.Min(lo, hi), Math.Max(lo, hi));
        return lo > 0 ? ClaimStatus.Holds : hi < 0 ? ClaimStatus.Reversed : ClaimStatus.Inconclusive;
    }

    public static string Word(this ClaimStatus s) => s switch
    {
        ClaimStatus.Holds => "holds",
        ClaimStatus.Reversed => "reversed",
        _ => "inconclusive",
    };
}
