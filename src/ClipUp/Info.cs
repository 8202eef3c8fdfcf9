namespace ClipUp; public static class Info { public const string Name = "ClipUp"; }
