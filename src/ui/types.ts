// Shared shapes of the UI's modules: what the screen is doing (mode), one level of the drill-down
// stack, a footer question, and the fixed layout sizes.
import { DrillStep } from '../snapshot/types';

export type Mode = 'table' | 'picker' | 'filter' | 'search' | 'seek' | 'prompt' | 'text' | 'help';

/** A one-line question in the footer: each key runs its handler; Esc cancels. */
export interface Prompt {
  text: string;
  keys: Record<string, () => void>;
  /** Enter does this (when set) */
  enter?: () => void;
}

/** One level of the drill-down stack: the view, its filter steps, sort and selection. */
export interface ViewState {
  viewId: string;
  drill: DrillStep[];
  sortCol: number;
  sortAsc: boolean;
  selKey: string | null;
  sel: number;
  top: number;
}

export const HEADER_H = 3;
export const CHART_H = 8;
