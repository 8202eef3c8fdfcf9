namespace ClipUp.Notebooks;

/// <summary>Receives a cell's outputs while it runs: the runner collects them, the kernel publishes them on IOPub.</summary>
public interface ICellOutputSink
{
    void Emit(CellOutput output);
}

/// <summary>Collects outputs as nbformat stores them: consecutive stream chunks with the same name become one output.</summary>
public sealed class CollectingSink : ICellOutputSink
{
    private readonly List<CellOutput> outputs = [];
    private readonly Lock gate = new();

    public IReadOnlyList<CellOutput> Outputs { get { lock (gate) return outputs.ToList(); } }

    public void Emit(CellOutput output)
    {
        lock (gate)
        {
            if (output is StreamOutput s && outputs.Count > 0 && outputs[^1] is StreamOutput last && last.Name == s.Name)
                outputs[^1] = last with { Text = last.Text + s.Text };
            else
                outputs.Add(output);
        }
    }
}
