export class UiApp { constructor(_o: unknown) {} async run(): Promise<number> { return 0; } }
