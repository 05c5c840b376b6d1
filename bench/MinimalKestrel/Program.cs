var app = WebApplication.CreateSlimBuilder(args).Build();
app.MapGet("/purchase_item", () => Results.Text("\nBought sword\n", "text/plain; charset=utf-8"));
app.Run();
