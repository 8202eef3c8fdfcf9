Console.WriteLine("clipup");
