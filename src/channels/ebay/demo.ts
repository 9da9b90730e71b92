export const ebayDemo = null as never;
