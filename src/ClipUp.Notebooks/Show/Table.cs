using System.Reflection;
using Microsoft.Data.Analysis;

namespace ClipUp.Notebooks.Show;

/// <summary>
/// A table from records, so a cell says what its rows are instead of building columns:
/// <c>Table.Of(rows.Select(r =&gt; new { variant = r.Name, recall = Num.Percent(r.Recall) }))</c>. Columns are the
/// public properties in declaration order (an anonymous type's member names become the headers, and
/// <c>[DisplayName]</c>-free records use their property names). Strings, booleans and integers keep their type;
/// floating-point values become a double column, which ClipUp's table formatter shows to 4 significant digits.
/// </summary>
public static class Table
{
    public static DataFrame Of<T>(IEnumerable<T> rows)
    {
        var list = rows.ToList();
        var props = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToList();
        if (props.Count == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties to show as columns", nameof(rows));
        return new DataFrame(props.Select(p => Column(p, list)));
    }

    private static DataFrameColumn Column<T>(PropertyInfo p, List<T> rows)
    {
        var values = rows.Select(r => p.GetValue(r)).ToList();
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        var name = p.Name.Replace('_', ' ');
        if (type == typeof(bool)) return new BooleanDataFrameColumn(name, values.Select(v => (bool?)v));
        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
            return new Int64DataFrameColumn(name, values.Select(v => v is null ? (long?)null : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)));
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
            return new DoubleDataFrameColumn(name, values.Select(v => v is null ? (double?)null : Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)));
        return new StringDataFrameColumn(name, values.Select(v => v is null ? "" : Display.PlainText(v)));
    }
}
