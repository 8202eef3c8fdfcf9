using Google.Protobuf;

namespace ClipUp.Tests.Mode;

/// <summary>
/// Writes a minimal BERT-shaped ONNX model by hand-coding the protobuf (onnx.proto3 field numbers), so the ONNX tests
/// need no Python or committed binaries: inputs input_ids / attention_mask / token_type_ids [batch, seq] int64;
/// last_hidden_state = Gather(embedding [V, H], input_ids) → [batch, seq, H]; optionally
/// pooler_output = ReduceMean(last_hidden_state, axes = [1], keepdims = 0) → [batch, H] (opset 13).
/// </summary>
internal static class TinyOnnxModel
{
    private const int Float = 1, Int64 = 7;   // TensorProto.DataType

    public static void Write(string path, float[,] embedding, bool withPooler)
    {
        var (v, h) = (embedding.GetLength(0), embedding.GetLength(1));
        var raw = new byte[v * h * sizeof(float)];
        Buffer.BlockCopy(embedding, 0, raw, 0, raw.Length);

        var graph = Message(w =>
        {
            Sub(w, 1, Node(["embedding", "input_ids"], ["last_hidden_state"], "Gather"));                              // node
            if (withPooler)
                Sub(w, 1, Node(["last_hidden_state"], ["pooler_output"], "ReduceMean",
                    Message(a => { Str(a, 1, "axes"); Int(a, 8, 1); Int(a, 20, 7); }),                               // ints, type INTS
                    Message(a => { Str(a, 1, "keepdims"); Int(a, 3, 0); Int(a, 20, 2); })));                          // i, type INT
            Str(w, 2, "tiny_bert");                                                                                   // name
            Sub(w, 5, Message(t => { Int(t, 1, v); Int(t, 1, h); Int(t, 2, Float); Str(t, 8, "embedding"); Bytes(t, 9, raw); })); // initializer
            foreach (var input in new[] { "input_ids", "attention_mask", "token_type_ids" })
                Sub(w, 11, ValueInfo(input, Int64, "batch", "seq"));                                                  // input
            Sub(w, 12, ValueInfo("last_hidden_state", Float, "batch", "seq", h));                                     // output
            if (withPooler) Sub(w, 12, ValueInfo("pooler_output", Float, "batch", h));
        });
        var model = Message(w =>
        {
            Int(w, 1, 8);                                                   // ir_version
            Str(w, 2, "clipup-tests");                                      // producer_name
            Sub(w, 7, graph);                                               // graph
            Sub(w, 8, Message(o => { Str(o, 1, ""); Int(o, 2, 13); }));     // opset_import: default domain, opset 13
        });
        File.WriteAllBytes(path, model);
    }

    private static byte[] Node(string[] inputs, string[] outputs, string op, params byte[][] attributes) => Message(w =>
    {
        foreach (var i in inputs) Str(w, 1, i);
        foreach (var o in outputs) Str(w, 2, o);
        Str(w, 4, op);
        foreach (var a in attributes) Sub(w, 5, a);
    });

    /// <summary>ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type, shape: {dim: value | param}}}}.</summary>
    private static byte[] ValueInfo(string name, int elemType, params object[] dims) => Message(w =>
    {
        Str(w, 1, name);
        var shape = Message(s =>
        {
            foreach (var d in dims)
                Sub(s, 1, Message(dim => { if (d is int n) Int(dim, 1, n); else Str(dim, 2, (string)d); }));
        });
        Sub(w, 2, Message(t => Sub(t, 1, Message(tt => { Int(tt, 1, elemType); Sub(tt, 2, shape); }))));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var ms = new MemoryStream();
        using (var w = new CodedOutputStream(ms, leaveOpen: true)) write(w);
        return ms.ToArray();
    }

    private static void Int(CodedOutputStream w, int field, long value) { w.WriteTag(field, WireFormat.WireType.Varint); w.WriteInt64(value); }
    private static void Str(CodedOutputStream w, int field, string value) { w.WriteTag(field, WireFormat.WireType.LengthDelimited); w.WriteString(value); }
    private static void Bytes(CodedOutputStream w, int field, byte[] value) { w.WriteTag(field, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(value)); }
    private static void Sub(CodedOutputStream w, int field, byte[] message) => Bytes(w, field, message);
}
