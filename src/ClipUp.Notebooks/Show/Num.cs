using System.Globalization;

namespace ClipUp.Notebooks.Show;

/// <summary>
/// Numbers formatted by what they mean, so a table reads "63.2%", "3.85 M" or "0.6931" instead of
/// <c>0.9999999403953552</c>: percentages with 1–2 decimals, parameter and FLOP counts with an SI suffix and 3
/// significant digits, losses and other measurements to 4 significant digits. Invariant culture throughout.
/// </summary>
public static class Num
{
    /// <summary>A value already in percent (recall 63.17 → "63.2%").</summary>
    public static string Percent(double percent, int decimals = 1) =>
        double.IsFinite(percent) ? percent.ToString("F" + decimals, CultureInfo.InvariantCulture) + "%" : NonFinite(percent);

    /// <summary>A fraction in [0, 1] as percent (0.0125 → "1.25%" with 2 decimals).</summary>
    public static string FractionAsPercent(double fraction, int decimals = 1) => Percent(fraction * 100, decimals);

    /// <summary>A count with an SI suffix and 3 significant digits: 3849345 → "3.85 M", 512 → "512", 2.5e9 → "2.50 G".</summary>
    public static string Count(double n)
    {
        if (!double.IsFinite(n)) return NonFinite(n);
        var (scaled, suffix) = Math.Abs(n) switch
        {
            >= 1e12 => (n / 1e12, " T"),
            >= 1e9 => (n / 1e9, " G"),
            >= 1e6 => (n / 1e6, " M"),
            >= 1e3 => (n / 1e3, " k"),
            _ => (n, ""),
        };
        if (suffix == "" && n == Math.Round(n)) return n.ToString("F0", CultureInfo.InvariantCulture);
        var decimals = Math.Abs(scaled) >= 100 ? 0 : Math.Abs(scaled) >= 10 ? 1 : 2;
        return scaled.ToString("F" + decimals, CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>
    /// <paramref name="digits"/> significant digits (default 4): 0.69314718 → "0.6931", 1234.5678 → "1235",
    /// 2.3684760682113164E-15 → "2.368e-15". Fixed notation from 1e-4 to 1e6, scientific outside.
    /// </summary>
    public static string Sig(double x, int digits = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 1);
        if (!double.IsFinite(x)) return NonFinite(x);
        if (x == 0) return "0";
        var magnitude = (int)Math.Floor(Math.Log10(Math.Abs(x)));
        if (magnitude < -4 || magnitude >= 6)
            return x.ToString("0." + new string('#', digits - 1) + "e+0", CultureInfo.InvariantCulture).Replace("e+", "e", StringComparison.Ordinal);
        var decimals = Math.Max(0, digits - 1 - magnitude);
        var rounded = Math.Round(x, Math.Min(decimals, 15));
        if (Math.Abs(rounded) >= Math.Pow(10, magnitude + 1)) // 0.99999 rounds to 1.000, one digit fewer after the point
            decimals = Math.Max(0, decimals - 1);
        if (magnitude + 1 >= 6 && Math.Abs(rounded) >= 1e6) return Sig(rounded, digits);
        return rounded.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// At most <paramref name="digits"/> significant digits without trailing zeros, for table cells of unknown meaning:
    /// 2.5 → "2.5", 0.9999999403953552 → "1", 1234.5678 → "1235", 2.3684760682113164E-15 → "2.368e-15".
    /// </summary>
    public static string Short(double x, int digits = 4)
    {
        var s = Sig(x, digits);
        var e = s.IndexOf('e', StringComparison.Ordinal);
        var (mantissa, exponent) = e < 0 ? (s, "") : (s[..e], s[e..]);
        if (mantissa.Contains('.', StringComparison.Ordinal)) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        return mantissa + exponent;
    }

    /// <summary>A mean with its interval: "63.2% [58.1, 68.3]" (both in percent).</summary>
    public static string PercentWithInterval(double percent, double low, double high, int decimals = 1) =>
        $"{Percent(percent, decimals)} [{low.ToString("F" + decimals, CultureInfo.InvariantCulture)}, {high.ToString("F" + decimals, CultureInfo.InvariantCulture)}]";

    /// <summary>Signed difference in percentage points: +2.4 pp, −0.8 pp.</summary>
    public static string Points(double points, int decimals = 1) =>
        double.IsFinite(points) ? (points >= 0 ? "+" : "−") + Math.Abs(points).ToString("F" + decimals, CultureInfo.InvariantCulture) + " pp" : NonFinite(points);

    private static string NonFinite(double x) => double.IsNaN(x) ? "NaN" : x > 0 ? "∞" : "−∞";
}
