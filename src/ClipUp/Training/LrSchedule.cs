namespace ClipUp.Training;

/// <summary>Linear warm-up to the peak, then cosine decay to <c>MinLrRatio · peak</c> at <c>TotalSteps</c> (open_clip's cosine_lr).</summary>
public sealed record LrSchedule(double PeakLr, int WarmupSteps, int TotalSteps, double MinLrRatio = 0.0)
{
    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(int step)
    {
        if (step < WarmupSteps) return PeakLr * (step + 1) / WarmupSteps;
        int decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        double min = PeakLr * MinLrRatio;
        return min + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (PeakLr - min);
    }

    public void Validate()
    {
        if (!(PeakLr > 0) || double.IsInfinity(PeakLr))
            throw new ArgumentException($"learning rate {PeakLr} must be a positive finite number (CLIP from scratch: ~5e-4; upcycling: a fraction of that)");
        if (WarmupSteps < 0) throw new ArgumentException($"warm-up steps {WarmupSteps} must be >= 0");
        if (TotalSteps < 1) throw new ArgumentException($"total steps {TotalSteps} must be >= 1");
        if (MinLrRatio < 0 || MinLrRatio > 1) throw new ArgumentException($"MinLrRatio {MinLrRatio} must be in [0, 1]");
    }
}
