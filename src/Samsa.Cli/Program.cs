// The samsa command-line tool. Commands arrive with issue 7; until then it says so.
Console.Error.WriteLine("samsa: no commands yet");
return 2;
